"""Churn features: one row per customer from a log of customer events.

Input columns: customer_id, event_type (login, purchase, support_ticket, page_view,
cancel_request), amount (purchases only), event_time, plan, country. The label ``churned`` is 1
when the customer asked to cancel; the features describe their other activity, so the cancel
request itself does not leak into them; ``plan_pro`` and ``plan_enterprise`` encode the plan as
numbers for training. Built-in Spark SQL functions only: no Python runs per row.

Params: ``reference_time`` (ISO timestamp; default the latest event in the input) anchors
``days_since_last_event``; ``input`` names the events input when there are several.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airloom.spark.jobs import JobInputError, pick_input, require_columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

NAME = "churn_features"
EVENT_COLUMNS = ("customer_id", "event_type", "amount", "event_time", "plan", "country")
CANCEL = "cancel_request"
ENCODED_PLANS = ("pro", "enterprise")  # one-hot, with basic as the baseline plan


def run(
    spark: SparkSession, inputs: Mapping[str, DataFrame], params: Mapping[str, Any]
) -> DataFrame:
    from pyspark.sql import functions as F

    events = pick_input(inputs, params, NAME)
    require_columns(events, EVENT_COLUMNS, NAME)
    if params.get("reference_time"):
        reference = events.sparkSession.range(1).select(
            F.lit(_checked_time(params["reference_time"])).cast("timestamp").alias("reference_time")
        )
    else:
        reference = events.agg(F.max("event_time").alias("reference_time"))

    is_activity = F.col("event_type") != CANCEL
    activity_time = F.when(is_activity, F.col("event_time"))
    purchase_amount = F.when(F.col("event_type") == "purchase", F.col("amount"))

    def count_of(event_type: str):
        return F.count_if(F.col("event_type") == event_type).cast("long")

    per_customer = events.groupBy("customer_id").agg(
        # The customer's current plan and country: those of their latest event (one max over
        # a struct is a plain hash aggregate, unlike two max_by; ties go to the larger plan).
        F.max(F.struct("event_time", "plan", "country")).alias("latest"),
        F.count_if(is_activity).cast("long").alias("n_events"),
        count_of("login").alias("n_logins"),
        count_of("purchase").alias("n_purchases"),
        F.coalesce(F.sum(purchase_amount), F.lit(0.0)).alias("total_spend"),
        F.coalesce(F.avg(purchase_amount), F.lit(0.0)).alias("avg_spend"),
        count_of("support_ticket").alias("n_support_tickets"),
        # A customer whose only event is a cancel request was last seen then.
        F.coalesce(F.max(activity_time), F.max("event_time")).alias("last_seen"),
        # A set per customer (at most one entry a day) keeps this a single hash aggregate;
        # count_distinct would make Spark expand every event into one row per distinct group.
        F.size(F.collect_set(F.to_date(activity_time))).cast("long").alias("active_days"),
        F.max(F.when(F.col("event_type") == CANCEL, 1).otherwise(0)).alias("churned"),
    )
    return per_customer.crossJoin(F.broadcast(reference)).select(
        "customer_id",
        F.col("latest.plan").alias("plan"),
        F.col("latest.country").alias("country"),
        "n_events",
        "n_logins",
        "n_purchases",
        F.col("total_spend").cast("double").alias("total_spend"),
        F.col("avg_spend").cast("double").alias("avg_spend"),
        "n_support_tickets",
        F.datediff("reference_time", "last_seen").alias("days_since_last_event"),
        "active_days",
        *(
            (F.col("latest.plan") == plan).cast("int").alias(f"plan_{plan}")
            for plan in ENCODED_PLANS
        ),
        F.col("churned").cast("int").alias("churned"),
    )


def _checked_time(value: Any) -> str:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        raise JobInputError(
            f"job {NAME!r}: job_params.reference_time {value!r} is not an ISO timestamp, "
            "e.g. '2026-11-01T00:00:00Z'"
        ) from None
    return str(value)
