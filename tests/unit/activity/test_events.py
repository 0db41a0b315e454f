"""Activity events serialise to the contract's flat JSON (docs/insights.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from airloom.activity.events import (
    KINDS,
    ApiCallEvent,
    DagRunEvent,
    DeploymentEvent,
    InvocationEvent,
    ModelPromotedEvent,
    TaskRunEvent,
    parse_event,
)

COMMON = {"event_id", "tenant", "kind", "at", "source"}


def test_a_task_run_is_one_flat_object_with_every_contract_field() -> None:
    started = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    event = TaskRunEvent(
        tenant="acme",
        dag_id="wf-acme-churn",
        run_id="manual__1",
        task_id="train",
        workflow="churn",
        workflow_version=3,
        node_type="train",
        state="success",
        try_number=1,
        started_at=started,
        ended_at=started + timedelta(seconds=90),
        duration_s=90.0,
        at=started + timedelta(seconds=90),
    )
    data = json.loads(event.to_json())
    assert set(data) == COMMON | {
        "dag_id",
        "run_id",
        "task_id",
        "workflow",
        "workflow_version",
        "node_type",
        "state",
        "try_number",
        "started_at",
        "ended_at",
        "duration_s",
    }
    assert all(not isinstance(value, dict | list) for value in data.values())
    assert data["kind"] == "task_run" and data["source"] == "airflow"
    assert data["at"] == "2026-03-01T09:01:30Z"
    assert data["duration_s"] == 90.0


def test_fields_a_producer_does_not_know_are_null_not_missing() -> None:
    data = json.loads(DagRunEvent(tenant="acme", dag_id="d", run_id="r", state="running").to_json())
    assert data["ended_at"] is None and data["workflow"] is None and data["duration_s"] is None


def test_times_are_stored_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    event = DeploymentEvent(
        tenant="acme",
        model="churn",
        action="deploy",
        state="started",
        at=datetime(2026, 3, 1, 10, 0, tzinfo=paris),
    )
    assert json.loads(event.to_json())["at"] == "2026-03-01T09:00:00Z"


def test_each_event_gets_its_own_id() -> None:
    fields = {
        "tenant": "acme",
        "source": "marketplace",
        "service": "marketplace",
        "route": "/api/v1/models",
        "method": "GET",
        "status": 200,
        "rate_limited": False,
    }
    assert ApiCallEvent(**fields).event_id != ApiCallEvent(**fields).event_id


def test_a_message_parses_back_to_its_kind() -> None:
    event = ModelPromotedEvent(tenant="acme", model="churn", model_version=4, alias="champion")
    parsed = parse_event(event.to_json())
    assert isinstance(parsed, ModelPromotedEvent) and parsed == event


def test_every_contract_kind_has_a_model() -> None:
    assert set(KINDS) == {
        "dag_run",
        "task_run",
        "workflow_published",
        "model_registered",
        "model_promoted",
        "deployment",
        "invocation",
        "api_call",
        "aws_usage",
    }


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"tenant": "acme/../globex"}, "tenant"),
        ({"tenant": ""}, "tenant"),
        ({"predictions": -1}, "predictions"),
        ({"at": datetime(2026, 1, 1)}, "at"),  # a naive time is ambiguous: refused
    ],
)
def test_bad_fields_are_refused_naming_the_field(fields: dict, named: str) -> None:
    good = {"tenant": "acme", "endpoint": "churn", "predictions": 3, "latency_ms": 4.5, "ok": True}
    with pytest.raises(ValidationError) as refused:
        InvocationEvent(**(good | fields))
    assert named in str(refused.value)


def test_a_message_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="kind"):
        parse_event(b'{"kind": "coffee", "tenant": "acme", "source": "airflow"}')
