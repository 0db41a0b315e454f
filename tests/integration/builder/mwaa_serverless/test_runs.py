"""Runs of workflows published to Amazon MWAA Serverless, through the builder's GraphQL API:
why a run failed, each run pinned to the version it was started on, cancelling, and one
tenant's runs out of another's reach."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.aws_stand_ins.mwaa_serverless import (
    hold_runs,
    mwaa_serverless_runs,
    mwaa_serverless_workflows,
)
from tests.harness.aws_stand_ins.server import StandIn
from tests.integration.builder import queries
from tests.integration.builder.api import Builder
from tests.integration.builder.mwaa_serverless.serverless import (
    GROUP,
    ROLE,
    RUN,
    TARGET,
    finished,
    node_states,
    publish,
    published_tickets,
    tickets_spec,
    trigger,
)

pytestmark = pytest.mark.xdist_group(GROUP)


def test_a_failing_node_fails_its_run_and_says_why(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    # "phone" is not an allowed channel: the gate fails, and so the run.
    tenant, workflow_id, _ = published_tickets(builder, lake, channels=["mail"])
    run = trigger(tenant.editor, workflow_id)
    done = finished(tenant.viewer, run["id"])
    assert done["state"] == "failed"
    assert node_states(done) == {"tickets": "success", "checked": "failed"}
    (checked,) = [node for node in done["nodes"] if node["nodeId"] == "checked"]
    # Why, in one line: the summary the gate recorded, as the service reports it.
    assert checked["error"].startswith("Data quality FAILED for ")
    assert "1 of 3 rows quarantined" in checked["error"]


def test_a_new_version_is_a_new_service_version_and_a_held_run_keeps_the_first(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    tenant, workflow_id, dag_id = published_tickets(builder, lake)
    first = mwaa_serverless_workflows(stand_in)[dag_id].latest.version
    with hold_runs(stand_in):
        held = trigger(tenant.editor, workflow_id)
        second_spec = tickets_spec("tickets", channels=["mail", "phone"], recheck=True)
        tenant.editor.data(queries.UPDATE, id=workflow_id, expected=1, spec=second_spec)
        result = publish(tenant.editor, workflow_id, version=2)
        assert result["published"], result["problems"]
        versions = mwaa_serverless_workflows(stand_in)[dag_id].versions
        assert len(versions) == 2  # UpdateWorkflow: the same workflow, a new version
        second = versions[-1].version
        assert second != first
        assert versions[-1].task_ids == ("tickets", "checked", "rechecked")
        assert versions[-1].role_arn == ROLE.format(tenant=tenant.name)
        newer = trigger(tenant.editor, workflow_id)
        assert tenant.viewer.data(RUN, id=held["id"])["run"]["state"] == "queued"
    done = finished(tenant.viewer, held["id"])
    assert (done["version"], done["state"]) == (1, "success")
    assert node_states(done) == {"tickets": "success", "checked": "success"}
    assert mwaa_serverless_runs(stand_in)[held["airflowRunId"]].workflow_version == first
    later = finished(tenant.viewer, newer["id"])
    assert (later["version"], later["state"]) == (2, "success")
    assert set(node_states(later)) == {"tickets", "checked", "rechecked"}
    assert mwaa_serverless_runs(stand_in)[newer["airflowRunId"]].workflow_version == second


def test_a_cancelled_run_stops_and_unpublishing_deletes_the_service_workflow(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    tenant, workflow_id, dag_id = published_tickets(builder, lake)
    with hold_runs(stand_in):
        run = trigger(tenant.editor, workflow_id)
        tenant.editor.data(queries.CANCEL, id=run["id"])
    done = finished(tenant.viewer, run["id"])
    assert done["state"] == "failed"  # STOPPED before it started
    assert mwaa_serverless_runs(stand_in)[run["airflowRunId"]].state == "STOPPED"

    tenant.editor.data(queries.UNPUBLISH, id=workflow_id)
    assert dag_id not in mwaa_serverless_workflows(stand_in)
    found = tenant.viewer.data(TARGET, id=workflow_id)["workflow"]
    assert found == {"publishTarget": "MWAA_SERVERLESS", "publishedVersion": None}
    tenant.editor.data(queries.UNPUBLISH, id=workflow_id)  # again: nothing to do


def test_another_tenant_can_neither_see_nor_run_nor_stop_a_tenants_workflow(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    owner, workflow_id, dag_id = published_tickets(builder, lake)
    other, _, other_dag_id = published_tickets(builder, lake)
    with hold_runs(stand_in):
        run = trigger(owner.editor, workflow_id)
        for attempt in (
            other.viewer.error(TARGET, id=workflow_id),
            other.editor.error(queries.TRIGGER, id=workflow_id),
            other.viewer.error(RUN, id=run["id"]),
            other.editor.error(queries.CANCEL, id=run["id"]),
        ):
            assert attempt["extensions"]["code"] == "NOT_FOUND"
        assert run["id"] not in {r["id"] for r in other.viewer.data("{ runs { id } }")["runs"]}
    assert finished(owner.viewer, run["id"])["state"] == "success"
    # Each tenant's workflow was only ever given its own role.
    workflows = mwaa_serverless_workflows(stand_in)
    assert {v.role_arn for v in workflows[dag_id].versions} == {ROLE.format(tenant=owner.name)}
    assert {v.role_arn for v in workflows[other_dag_id].versions} == {
        ROLE.format(tenant=other.name)
    }
