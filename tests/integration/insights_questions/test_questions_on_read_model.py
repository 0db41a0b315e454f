"""Questions answered over the service's own read model: activity events go through the real
broker, are landed in the lake by the activity consumer, and the compiled questions run on the
views ReadModel builds (TIMESTAMPTZ times, costs from the rates file), one tenant at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from insights.activity.consumer import ActivityConsumer
from insights.questions.answer import answer_question
from insights.questions.names import known_names
from insights.questions.translator import QuestionContext
from insights.readmodel.rates import load_rates
from insights.readmodel.views import ReadModel, Values
from tests.harness.kafka_topics import publish
from tests.integration.insights.conftest import event, insights_settings

NOW = datetime(2026, 12, 3, 8, tzinfo=UTC)


def _run(tenant: str, workflow: str, run_id: str, day: int, state: str, seconds: float):  # type: ignore[no-untyped-def]
    at = datetime(2026, 11, day, 10, tzinfo=UTC)
    common = {"dag_id": workflow, "run_id": run_id, "workflow": workflow, "state": state}
    return [
        event("task_run", tenant, at, task_id="t", node_type="train", duration_s=seconds, **common),
        event("dag_run", tenant, at, ended_at=at.isoformat(), duration_s=seconds, **common),
    ]


@pytest.fixture(scope="module")
def read_model(broker, tmp_path_factory) -> Iterator[ReadModel]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("questions")
    settings = insights_settings(broker.url, folder / "lake", f"sqlite:///{folder / 'db.sqlite'}")
    events = [
        *_run("acme", "churn", "a1", 24, "success", 3600),
        *_run("acme", "churn", "a2", 25, "failed", 1800),
        *_run("acme", "fraud-detection", "a3", 26, "success", 3600),
        *_run("acme", "churn", "a0", 17, "success", 3600),  # the week before
        *_run("globex", "churn", "g1", 24, "success", 36000),
        event(
            "invocation",
            "acme",
            datetime(2026, 11, 24, 12, tzinfo=UTC),
            endpoint="churn-scorer",
            model="churn-model",
            model_version="3",
            predictions=5,
            latency_ms=40.0,
            ok=True,
            target="local",
        ),
        event(
            "api_call",
            "acme",
            datetime(2026, 11, 24, 13, tzinfo=UTC),
            service="marketplace",
            route="/api/v1/models",
            method="GET",
            status=429,
            tier="free",
            rate_limited=True,
        ),
    ]
    publish(broker.url, settings.activity_topic, [json.dumps(e).encode() for e in events])
    consumer = ActivityConsumer(settings)
    assert consumer.run_once().written == len(events)
    consumer.stop()
    yield ReadModel(settings.activity_uri, load_rates("local"))


def context(db, tenant: str) -> QuestionContext:  # type: ignore[no-untyped-def]
    """What the service passes the translator: the tenant's own names, read from its views."""
    names = known_names(db, tenant)
    return QuestionContext(tenant=tenant, now=NOW, names=names, other_tenants=["globex", "acme"])


def test_questions_over_the_landed_activity(read_model: ReadModel) -> None:
    hourly = load_rates("local").task_hourly()["train"]
    with read_model.connect("acme", Values(per_run={"churn": 10.0})) as db:
        assert known_names(db, "acme")["workflow"] == ["churn", "fraud-detection"]
        runs = answer_question(db, "runs and failures per workflow last week", context(db, "acme"))
        assert runs.columns == ["workflow", "runs", "failures"]
        assert runs.rows == [["churn", 2, 1], ["fraud-detection", 1, 0]]

        cost = answer_question(db, "cost of the churn workflow last week", context(db, "acme"))
        assert cost.rows == [[pytest.approx(1.5 * hourly)]]

        compared = answer_question(
            db, "value per workflow last week compared with the previous week", context(db, "acme")
        )
        assert compared.rows[0][:3] == ["churn", 10.0, 10.0]  # one successful run each week

        daily = answer_question(db, "runs per day last week", context(db, "acme"))
        assert [(row[0].date().isoformat(), row[1]) for row in daily.rows] == [
            ("2026-11-24", 1),
            ("2026-11-25", 1),
            ("2026-11-26", 1),
        ]

        limited = answer_question(db, "429s by tier last week", context(db, "acme"))
        assert limited.rows == [["free", 1]]
        served = answer_question(db, "predictions of churn-scorer last week", context(db, "acme"))
        assert served.rows == [[5]]


def test_each_tenant_sees_only_its_own_activity(read_model: ReadModel) -> None:
    with read_model.connect("globex") as db:
        answer = answer_question(db, "runs per workflow last week", context(db, "globex"))
        assert answer.rows == [["churn", 1]]
        refused = answer_question(db, "show acme's runs", context(db, "globex"))
        assert refused.status == "refused" and refused.rows == []
    with read_model.connect("acme") as db:
        answer = answer_question(db, "average duration per workflow last week", context(db, "acme"))
        assert answer.rows == [["fraud-detection", 3600.0], ["churn", 2700.0]]  # biggest first
