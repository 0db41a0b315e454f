"""The churn feature job in Spark, against the same logic written with plain Python UDFs.

All sides run on one local Spark session over the same generated customer events (cached
before timing) and must produce the same features. The Airloom side is the registered
``churn_features`` job (built-in Spark SQL functions only). The named baseline is that job with
its row expressions as plain (non-Arrow) Python UDFs, as such a job is often first written;
a stronger Python variant (Spark groups, one Python call per customer) is printed for
reference. Each side runs ``--rounds`` times after a warm-up, writing to Spark's ``noop`` sink
so only computation is timed; the ratio is the median of the per-round ratios.

    .venv/bin/python bench/spark_features.py [--events 400000 --customers 20000 --rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime

TARGET = 3.0
BASELINE = "baseline: the same logic with plain Python UDFs per event"
EVENT_TYPES = "array('login', 'page_view', 'purchase', 'support_ticket', 'cancel_request')"


def generate_events(spark, events: int, customers: int):
    """Customer events over 90 days, one timestamp per event (so "latest" is unambiguous)."""
    from pyspark.sql import functions as F

    step_micros = 90 * 86_400 * 1_000_000 // events
    start_micros = int(datetime(2026, 8, 1).timestamp()) * 1_000_000
    kind = F.rand(2)
    frame = (
        spark.range(events)
        .withColumn("customer_id", F.concat(F.lit("c"), (F.rand(1) * customers).cast("int")))
        .withColumn(
            "event_type",
            F.expr(EVENT_TYPES)[
                F.when(kind < 0.35, 0)
                .when(kind < 0.75, 1)
                .when(kind < 0.90, 2)
                .when(kind < 0.98, 3)
                .otherwise(4)
            ],
        )
        .withColumn(
            "amount",
            F.when(F.col("event_type") == "purchase", F.round(F.rand(3) * 200, 2)),
        )
        .withColumn(
            "event_time", F.timestamp_micros(F.lit(start_micros) + F.col("id") * step_micros)
        )
        .withColumn(
            "plan",
            F.expr("array('basic', 'pro', 'enterprise')")[F.abs(F.hash("customer_id")) % 3],
        )
        .withColumn(
            "country",
            F.expr("array('DE', 'FR', 'US', 'GB', 'ES', 'IT')")[F.abs(F.hash("customer_id")) % 6],
        )
        .drop("id")
    )
    return frame


PLANS = ("pro", "enterprise")  # the job's one-hot plan columns
FEATURE_SCHEMA = (
    "plan STRING, country STRING, n_events BIGINT, n_logins BIGINT, n_purchases BIGINT, "
    "total_spend DOUBLE, avg_spend DOUBLE, n_support_tickets BIGINT, "
    "days_since_last_event INT, active_days BIGINT, plan_pro INT, plan_enterprise INT, "
    "churned INT"
)
EVENT_SCHEMA = (
    "activity INT, login INT, purchase INT, ticket INT, cancel INT, spend DOUBLE, "
    "activity_time TIMESTAMP, active_day DATE"
)


def per_event_udfs(events):
    """Baseline: the job's logic with its row expressions as plain Python UDFs.

    What a first version of such a job often looks like: each event classified by Python code,
    the aggregation left to Spark, the day arithmetic in Python again.
    """
    from pyspark.sql import functions as F

    def classify(event_type, amount, event_time):
        activity = event_type != "cancel_request"
        return (
            int(activity),
            int(event_type == "login"),
            int(event_type == "purchase"),
            int(event_type == "support_ticket"),
            int(event_type == "cancel_request"),
            amount if event_type == "purchase" else None,
            event_time if activity else None,
            event_time.date() if activity else None,
        )

    def days_between(reference, last_seen):
        return (reference.date() - last_seen.date()).days

    classify_udf = F.udf(classify, EVENT_SCHEMA, useArrow=False)
    days_udf = F.udf(days_between, "int", useArrow=False)
    reference = events.agg(F.max("event_time").alias("reference_time"))
    flagged = events.withColumn("e", classify_udf("event_type", "amount", "event_time"))
    per_customer = flagged.groupBy("customer_id").agg(
        F.max(F.struct("event_time", "plan", "country")).alias("latest"),
        F.sum("e.activity").alias("n_events"),
        F.sum("e.login").alias("n_logins"),
        F.sum("e.purchase").alias("n_purchases"),
        F.coalesce(F.sum("e.spend"), F.lit(0.0)).alias("total_spend"),
        F.coalesce(F.avg("e.spend"), F.lit(0.0)).alias("avg_spend"),
        F.sum("e.ticket").alias("n_support_tickets"),
        F.coalesce(F.max("e.activity_time"), F.max("event_time")).alias("last_seen"),
        F.size(F.collect_set("e.active_day")).cast("long").alias("active_days"),
        F.max("e.cancel").alias("churned"),
    )
    return per_customer.crossJoin(F.broadcast(reference)).select(
        "customer_id",
        F.col("latest.plan").alias("plan"),
        F.col("latest.country").alias("country"),
        "n_events",
        "n_logins",
        "n_purchases",
        "total_spend",
        "avg_spend",
        "n_support_tickets",
        days_udf("reference_time", "last_seen").alias("days_since_last_event"),
        "active_days",
        # Per customer, not per event: built-in expressions here keep the baseline no slower.
        *((F.col("latest.plan") == plan).cast("int").alias(f"plan_{plan}") for plan in PLANS),
        "churned",
    )


def per_customer_udf(events):
    """A stronger Python baseline: Spark groups the events, one Python call per customer."""
    from pyspark.sql import functions as F

    def customer_features(rows, reference):
        latest = max(rows, key=lambda row: (row.event_time, row.plan, row.country))
        activity = [row for row in rows if row.event_type != "cancel_request"]
        kinds = [row.event_type for row in rows]
        amounts = [
            row.amount for row in rows if row.event_type == "purchase" and row.amount is not None
        ]
        last_seen = max((row.event_time for row in activity), default=latest.event_time)
        return (
            latest.plan,
            latest.country,
            len(activity),
            kinds.count("login"),
            kinds.count("purchase"),
            float(sum(amounts)),
            sum(amounts) / len(amounts) if amounts else 0.0,
            kinds.count("support_ticket"),
            (reference.date() - last_seen.date()).days,
            len({row.event_time.date() for row in activity}),
            *(int(latest.plan == plan) for plan in PLANS),
            int("cancel_request" in kinds),
        )

    features = F.udf(customer_features, FEATURE_SCHEMA, useArrow=False)
    reference = events.agg(F.max("event_time").alias("reference_time"))
    grouped = events.groupBy("customer_id").agg(
        F.collect_list(F.struct("event_type", "amount", "event_time", "plan", "country")).alias(
            "rows"
        )
    )
    return (
        grouped.crossJoin(F.broadcast(reference))
        .select("customer_id", features("rows", "reference_time").alias("f"))
        .select("customer_id", "f.*")
    )


def timed(frame) -> float:
    began = time.perf_counter()
    frame.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - began


def same_features(left, right) -> bool:
    """The same rows in the job's columns (``left`` is the Airloom job)."""

    def rows(frame):
        return {
            row.customer_id: tuple(
                round(value, 6) if isinstance(value, float) else value for value in row
            )
            for row in frame.select(*left.columns).collect()
        }

    return rows(left) == rows(right)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=400_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    # Python workers turn timestamps into local datetimes: make local mean UTC, as in Spark.
    os.environ["TZ"] = "UTC"
    time.tzset()
    os.environ.setdefault("AIRLOOM_SPARK_MASTER", "local[2]")
    from airloom.spark.jobs import load_job
    from airloom.spark.session import spark_session

    spark = spark_session("airloom-bench-spark-features")
    events = generate_events(spark, args.events, args.customers).cache()
    print(f"{events.count():,} events for up to {args.customers:,} customers (cached)")
    churn_features = load_job("churn_features")
    sides = {
        "airloom churn_features (built-in Spark SQL functions)": lambda: churn_features(
            spark, {"events": events}, {}
        ),
        BASELINE: lambda: per_event_udfs(events),
        "for reference: one plain Python UDF per customer over collect_list": lambda: (
            per_customer_udf(events)
        ),
    }
    reference = next(iter(sides.values()))()
    for name, build in list(sides.items())[1:]:  # also warms every side up
        if not same_features(reference, build()):
            print(f"{name} disagrees with churn_features: not comparing times")
            return 2
    times: dict[str, list[float]] = {name: [] for name in sides}
    for round_number in range(args.rounds):
        for name, build in sides.items():
            times[name].append(timed(build()))
        print(f"round {round_number + 1}: " + ", ".join(f"{t[-1]:.2f} s" for t in times.values()))
    medians = {name: statistics.median(values) for name, values in times.items()}
    airloom = next(iter(medians.values()))
    for name, seconds in medians.items():
        print(f"{name}: {seconds:.2f} s ({seconds / airloom:.1f}x the Spark job's time)")
    # Each round runs the sides back to back, under the same machine load: compare per round.
    airloom_times = next(iter(times.values()))
    ratio = statistics.median(b / a for b, a in zip(times[BASELINE], airloom_times, strict=True))
    print(f"ratio {BASELINE} / airloom: {ratio:.1f}x (target >= {TARGET:.0f}x)")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
