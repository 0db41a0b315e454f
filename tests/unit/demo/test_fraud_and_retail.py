"""The fraud and retail demo data: deterministic, overlapping and drifting like real data."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from statistics import mean

from sklearn.metrics import roc_auc_score

from airloom.spark.jobs.transaction_features import MERCHANT_CATEGORIES
from airloom_cli.demo.fraud import transactions
from airloom_cli.demo.retail import COLUMNS, daily_sales
from airloom_cli.demo.timeline import event_times

END = datetime(2026, 6, 1, tzinfo=UTC)


def test_transactions_repeat_for_a_seed_and_stay_inside_the_week() -> None:
    rows = transactions(count=500, seed=5, end=END)
    assert rows == transactions(count=500, seed=5, end=END)
    assert rows != transactions(count=500, seed=6, end=END)
    assert all(datetime.fromisoformat(str(r["event_time"])) <= END for r in rows)
    unlabelled = transactions(count=50, seed=6, labelled=False, end=END)
    assert all("is_fraud" not in row for row in unlabelled)


def test_every_merchant_category_is_one_the_feature_job_encodes() -> None:
    # A category the job does not know lands in mc_other and its signal is lost.
    used = {row["merchant_category"] for row in transactions(count=2_000, seed=5, end=END)}
    assert used <= set(MERCHANT_CATEGORIES), used - set(MERCHANT_CATEGORIES)


def test_fraud_is_rare_and_leans_on_the_signals_without_owning_them() -> None:
    rows = transactions(count=20_000, seed=5, end=END)
    fraud = [r for r in rows if r["is_fraud"]]
    genuine = [r for r in rows if not r["is_fraud"]]
    assert 0.01 < len(fraud) / len(rows) < 0.03

    def night(row: dict) -> bool:
        return datetime.fromisoformat(str(row["event_time"])).hour <= 5

    def abroad(row: dict) -> bool:
        return row["country"] != row["home_country"]

    # Fraud leans on night and abroad, but some of it is neither and good spending is both.
    assert sum(map(night, fraud)) / len(fraud) > 4 * sum(map(night, genuine)) / len(genuine)
    assert sum(1 for r in fraud if not night(r) and not abroad(r)) >= 0.1 * len(fraud)
    assert sum(1 for r in genuine if night(r) and abroad(r)) >= 10
    labels = [int(r["is_fraud"]) for r in rows]
    assert 0.6 < roc_auc_score(labels, [float(r["amount"]) for r in rows]) < 0.85


def test_fraudsters_adapt_over_the_week() -> None:
    rows = transactions(count=30_000, seed=9, end=END)
    fraud = sorted((r for r in rows if r["is_fraud"]), key=lambda r: str(r["event_time"]))
    half = len(fraud) // 2

    def night_share(part: list[dict]) -> float:
        return mean(datetime.fromisoformat(str(r["event_time"])).hour <= 5 for r in part)

    assert night_share(fraud[:half]) > night_share(fraud[half:]) + 0.1


def test_sales_repeat_for_a_seed_with_one_row_per_store_product_and_day() -> None:
    rows = daily_sales(stores=2, products=3, days=30, seed=11, end=date(2026, 6, 1))
    assert rows == daily_sales(stores=2, products=3, days=30, seed=11, end=date(2026, 6, 1))
    assert len(rows) == 2 * 3 * 30
    assert len({(r["store_id"], r["product_id"], r["date"]) for r in rows}) == len(rows)
    assert all(tuple(row) == COLUMNS for row in rows)
    assert all(int(r["units_sold"]) >= 0 and float(r["price"]) > 0 for r in rows)
    assert 0.05 < mean(int(r["promo"]) for r in rows) < 0.2


def test_demand_drifts_over_the_window() -> None:
    series: dict[tuple, list[int]] = defaultdict(list)
    for row in daily_sales(seed=11, end=date(2026, 6, 1)):
        series[(row["store_id"], row["product_id"])].append(int(row["units_sold"]))
    changes = [mean(units[-28:]) / mean(units[:28]) - 1 for units in series.values()]
    assert any(change > 0.15 for change in changes)  # some products grow
    assert any(change < -0.15 for change in changes)  # some fade


def test_event_times_thin_out_once_quiet_and_keep_a_least_history() -> None:
    import random

    busy = event_times(random.Random(1), 200)
    quiet = event_times(random.Random(1), 200, quiet_from=0.5, quiet_rate=0.1)
    assert busy == sorted(busy) and all(0 <= t < 1 for t in busy)
    assert sum(t >= 0.5 for t in quiet) < 0.3 * sum(t >= 0.5 for t in busy)
    assert len(event_times(random.Random(1), 0.01, least=4)) == 4
