"""Every event the producers build (plugins/airloom/activity) fits the schema the insights
consumer lands: one that did not would be quarantined instead of counted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from airloom.activity import events as produced
from airloom.ingest.records import RecordSchema
from insights.activity.events import ACTIVITY_SCHEMA

NOW = datetime(2026, 12, 3, 8, 30, 15, 123456, tzinfo=UTC)
EXAMPLES = [
    produced.DagRunEvent(tenant="acme", dag_id="d", run_id="r", state="running", at=NOW),
    produced.DagRunEvent(
        tenant="acme",
        dag_id="d",
        run_id="r",
        run_type="manual",
        workflow="churn",
        workflow_version=3,
        state="success",
        started_at=NOW,
        ended_at=NOW,
        duration_s=12.5,
    ),
    produced.TaskRunEvent(
        tenant="acme",
        dag_id="d",
        run_id="r",
        task_id="t",
        node_type="train",
        state="failed",
        try_number=2,
        duration_s=3,
    ),
    produced.WorkflowPublishedEvent(tenant="acme", workflow="churn", workflow_version=4),
    produced.ModelRegisteredEvent(tenant="acme", model="churn", model_version=7),
    produced.ModelPromotedEvent(tenant="acme", model="churn", model_version=7, alias="champion"),
    produced.DeploymentEvent(tenant="acme", model="churn", action="deploy", state="started"),
    produced.InvocationEvent(
        tenant="acme", endpoint="churn-api", predictions=10, latency_ms=12.5, ok=True
    ),
    produced.ApiCallEvent(
        tenant="acme",
        source="marketplace",
        service="marketplace",
        route="/api/v1/models",
        method="GET",
        status=429,
        tier="free",
        rate_limited=True,
    ),
]


@pytest.mark.parametrize("produced_event", EXAMPLES, ids=lambda e: e.kind)
def test_a_produced_event_is_landed_not_quarantined(produced_event):
    record, reason = RecordSchema(ACTIVITY_SCHEMA).check(produced_event.to_json())
    assert reason is None
    assert record["kind"] == produced_event.kind and record["tenant"] == "acme"
