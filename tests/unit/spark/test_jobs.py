"""The registered Spark jobs compute what their docstrings promise, on a real local Spark."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from airloom.spark.jobs import JOBS, JobInputError, load_job

EVENT_SCHEMA = (
    "customer_id STRING, event_type STRING, amount DOUBLE, event_time TIMESTAMP, "
    "plan STRING, country STRING"
)


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour)


def _rows_by(frame, key: str) -> dict:
    return {row[key]: row.asDict() for row in frame.collect()}


def test_registry_loads_only_registered_jobs() -> None:
    assert set(JOBS) == {"churn_features", "demand_features", "transaction_features"}
    with pytest.raises(JobInputError, match=r"unknown Spark job 'os\.system'"):
        load_job("os.system")


def test_churn_features_one_row_per_customer_with_label(spark) -> None:
    events = spark.createDataFrame(
        [
            ("a", "login", None, _at(1), "basic", "DE"),
            ("a", "purchase", 10.0, _at(1, 13), "basic", "DE"),
            ("a", "purchase", 30.0, _at(3), "pro", "DE"),  # upgraded: latest plan wins
            ("a", "support_ticket", None, _at(4), "pro", "DE"),
            ("a", "cancel_request", None, _at(5), "pro", "DE"),
            ("b", "page_view", None, _at(8), "enterprise", "FR"),
            ("b", "login", None, _at(10), "enterprise", "FR"),
        ],
        EVENT_SCHEMA,
    )
    features = load_job("churn_features")(spark, {"customer_events": events}, {})
    rows = _rows_by(features, "customer_id")

    assert features.columns == [
        "customer_id",
        "plan",
        "country",
        "n_events",
        "n_logins",
        "n_purchases",
        "total_spend",
        "avg_spend",
        "n_support_tickets",
        "days_since_last_event",
        "active_days",
        "plan_pro",
        "plan_enterprise",
        "churned",
    ]
    a, b = rows["a"], rows["b"]
    assert (a["plan"], a["country"], a["churned"], b["churned"]) == ("pro", "DE", 1, 0)
    encoded = [(row["plan_pro"], row["plan_enterprise"]) for row in (a, b)]
    assert encoded == [(1, 0), (0, 1)]  # a's latest plan is pro, b's enterprise
    # The cancel request is the label, not activity.
    assert (a["n_events"], a["n_logins"], a["n_purchases"], a["n_support_tickets"]) == (4, 1, 2, 1)
    assert (a["total_spend"], a["avg_spend"]) == (40.0, 20.0)
    assert (b["total_spend"], b["avg_spend"]) == (0.0, 0.0)
    assert (a["active_days"], b["active_days"]) == (3, 2)
    # Relative to the latest event in the input (b's login on the 10th).
    assert (a["days_since_last_event"], b["days_since_last_event"]) == (6, 0)


def test_churn_features_reference_time_param(spark) -> None:
    events = spark.createDataFrame([("a", "login", None, _at(1), "basic", "DE")], EVENT_SCHEMA)
    job = load_job("churn_features")
    features = job(spark, {"events": events}, {"reference_time": "2026-11-21T00:00:00"})
    assert features.first()["days_since_last_event"] == 20
    with pytest.raises(JobInputError, match="reference_time 'last tuesday' is not an ISO"):
        job(spark, {"events": events}, {"reference_time": "last tuesday"})


def test_churn_features_names_missing_columns(spark) -> None:
    events = spark.createDataFrame([("a", "login")], "customer_id STRING, event_type STRING")
    with pytest.raises(JobInputError, match=r"lacks column\(s\) \['amount', 'country'"):
        load_job("churn_features")(spark, {"events": events}, {})


def test_demand_features_lags_in_days_and_drops_rows_without_history(spark) -> None:
    start = date(2026, 1, 1)
    days = [start + timedelta(days=n) for n in range(12)]
    rows = [("s1", "p1", day, float(n), 2.5, n % 2) for n, day in enumerate(days) if n != 9]
    rows.append(("s1", "p1", days[3], 100.0, 3.5, 0))  # a second row for day 3 is summed
    sales = spark.createDataFrame(
        rows,
        "store_id STRING, product_id STRING, date DATE, units_sold DOUBLE, price DOUBLE, promo INT",
    )
    features = load_job("demand_features")(spark, {"daily_sales": sales}, {})
    by_date = _rows_by(features, "date")

    # Day 7 is the first with a week behind it; day 9 is missing, so days 10 and 11 lack a
    # full week (and day 9 itself has no row to predict).
    assert sorted(by_date) == [days[7], days[8]]
    day7, day8 = by_date[days[7]], by_date[days[8]]
    assert (day7["lag_1"], day7["lag_7"], day7["units_sold"]) == (6.0, 0.0, 7.0)
    assert day7["rolling_mean_7"] == pytest.approx((0 + 1 + 2 + 103 + 4 + 5 + 6) / 7)
    assert (day8["lag_1"], day8["lag_7"]) == (7.0, 1.0)
    assert (day8["day_of_week"], day8["month"], day8["promo"], day8["price"]) == (6, 1, 0, 2.5)


def test_transaction_features_per_card_zscore_foreign_and_categories(spark) -> None:
    transactions = spark.createDataFrame(
        [
            ("t1", "c1", 10.0, "grocery", "DE", datetime(2026, 11, 1, 2)),
            ("t2", "c1", 30.0, "Travel ", "US", datetime(2026, 11, 1, 14)),
            ("t3", "c2", 50.0, "casino", "FR", datetime(2026, 11, 1, 23)),
        ],
        "transaction_id STRING, card_id STRING, amount DOUBLE, merchant_category STRING, "
        "country STRING, event_time TIMESTAMP",
    )
    cards = spark.createDataFrame(
        [("c1", "DE"), ("c2", "FR")], "card_id STRING, home_country STRING"
    )
    job = load_job("transaction_features")
    rows = _rows_by(
        job(spark, {"transactions": transactions, "cards": cards}, {}), "transaction_id"
    )

    assert (rows["t1"]["amount_zscore"], rows["t2"]["amount_zscore"]) == (-1.0, 1.0)
    assert rows["t3"]["amount_zscore"] == 0.0  # one transaction: no spread to compare with
    assert [rows[t]["is_foreign"] for t in ("t1", "t2", "t3")] == [0, 1, 0]
    assert [rows[t]["hour_of_day"] for t in ("t1", "t2", "t3")] == [2, 14, 23]
    assert [rows[t]["is_night"] for t in ("t1", "t2", "t3")] == [1, 0, 0]
    assert (rows["t1"]["mc_grocery"], rows["t2"]["mc_travel"], rows["t3"]["mc_other"]) == (1, 1, 1)
    assert rows["t1"]["mc_other"] == 0 and rows["t1"]["card_txn_count"] == 2

    # Without any home country the transactions are not foreign.
    alone = _rows_by(job(spark, {"transactions": transactions}, {}), "transaction_id")
    assert {row["is_foreign"] for row in alone.values()} == {0}
