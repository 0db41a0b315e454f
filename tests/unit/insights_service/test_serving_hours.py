"""Figures read serving by the hour for the hours a range holds whole and request by request
at its ragged ends: a range that starts or ends mid-hour counts exactly the requests in it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from insights.readmodel import figures
from insights.readmodel.rates import load_rates
from insights.readmodel.views import ReadModel, Values
from tests.unit.insights_service.activity_files import SERVING, land


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 12, 3, hour, minute, tzinfo=UTC)


def request(when: datetime, predictions: int, ok: bool = True) -> dict:
    return {"endpoint": "churn", "latency_ms": 100.0, "ok": ok, "predictions": predictions,
            "target": "local", "at": when.isoformat()}  # fmt: skip


@pytest.fixture
def model(tmp_path: Path) -> ReadModel:
    activity = str(tmp_path / "_airloom" / "activity")
    minutes = [(9, 50), (10, 15), (10, 45), (11, 0), (11, 30), (12, 5), (12, 59)]
    # 1, 2, 4, … predictions: every subset of requests has its own sum.
    land(activity, "invocation", "acme", [request(at(*m), 2**i) for i, m in enumerate(minutes)])
    land(activity, "invocation", "acme", [request(at(11, 10), 1000, ok=False)])
    return ReadModel(activity, load_rates("local"))


@pytest.mark.parametrize(
    ("since", "until", "expected", "requests"),
    [
        (at(10, 30), at(11, 45), 4 + 8 + 16, 4),  # ragged at both ends, a whole hour between
        (at(10, 0), at(13, 0), 2 + 4 + 8 + 16 + 32 + 64, 7),  # whole hours only
        (at(10, 20), at(10, 50), 4, 1),  # within one hour
        (at(9, 0), at(12, 5), 1 + 2 + 4 + 8 + 16, 6),  # ends on a request: it is not counted
        (at(12, 5), at(12, 6), 32, 1),
    ],
)
def test_a_range_counts_exactly_the_requests_in_it(model, since, until, expected, requests):
    values = Values(per_prediction={"churn": 0.5})
    with model.connect("acme", values) as connection:
        totals = figures.kpis(connection, since, until)
        by_day = figures.roi(connection, "endpoint", "day", since, until)
    assert totals.predictions == expected
    assert totals.value_usd == pytest.approx(expected * 0.5)
    # Each request (the failed one at 11:10 too) took 100 ms of serving.
    assert totals.cost_usd == pytest.approx(requests * 0.1 / 3600 * SERVING)
    assert [row.figures.predictions for row in by_day] == [expected]
