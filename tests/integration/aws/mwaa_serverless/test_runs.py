"""Runs on the MWAA Serverless stand-in, which really run a version's definition (compiled by
Airloom, loaded by dag-factory, run by ``dag.test()``): each task reported, each run pinned to
its version and confined to its tenant's lake area, failures and stops as the service has them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from airloom.datasets import read_table
from tests.harness.aws_stand_ins.mwaa_serverless import hold_runs, mwaa_serverless_runs
from tests.harness.aws_stand_ins.server import StandIn
from tests.integration.aws.mwaa_serverless.definitions import (
    GROUP,
    ROLE,
    create,
    definition,
    put,
    tenant_name,
)

pytestmark = pytest.mark.xdist_group(GROUP)

FINISHED = {"SUCCESS", "FAILED", "STOPPED"}


@pytest.fixture(scope="module")
def runs_ready(airflow_db: Path, airloom_connections: dict[str, str]) -> None:
    """Runs go through dag.test() on this session's Airflow database and lake."""


def stage_tickets(lake: Path, tenant: str, channels: list[str]) -> None:
    folder = lake / "tenants" / tenant / "landing" / "tickets"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": i, "channel": c}) for i, c in enumerate(channels)]
    (folder / "part-1.jsonl").write_text("\n".join(lines) + "\n")


def finished(serverless: Any, arn: str, run_id: str, seconds: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        run = serverless.get_workflow_run(WorkflowArn=arn, RunId=run_id)
        if run["RunDetail"]["RunState"] in FINISHED or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


def task_instances(serverless: Any, arn: str, run_id: str) -> dict[str, dict[str, Any]]:
    """Each task instance of a run by task id: the summary lists ids, GetTaskInstance names."""
    found = {}
    listed = serverless.list_task_instances(WorkflowArn=arn, RunId=run_id)["TaskInstances"]
    for summary in listed:
        detail = serverless.get_task_instance(
            WorkflowArn=arn, RunId=run_id, TaskInstanceId=summary["TaskInstanceId"]
        )
        assert detail["Status"] == summary["Status"]
        found[detail["TaskId"]] = detail
    return found


def test_a_run_really_runs_its_version_and_reports_each_task(
    runs_ready: None, stand_in: StandIn, serverless: Any, s3: Any, bucket: str, lake: Path
) -> None:
    tenant, neighbour = tenant_name(), tenant_name()
    stage_tickets(lake, tenant, ["mail", "phone", "mail"])
    stage_tickets(lake, neighbour, ["mail"] * 5)  # the same place in another tenant's area
    created = create(serverless, s3, bucket, tenant)
    arn = created["WorkflowArn"]

    started = serverless.start_workflow_run(WorkflowArn=arn, OverrideParameters={"day": "mon"})
    assert started["Status"] in {"QUEUED", "STARTING"}
    run = finished(serverless, arn, started["RunId"])

    detail = run["RunDetail"]
    assert detail["RunState"] == "SUCCESS", detail
    assert run["WorkflowVersion"] == detail["WorkflowVersion"] == created["WorkflowVersion"]
    assert (run["RunType"], run["OverrideParameters"]) == ("ON_DEMAND", {"day": "mon"})
    assert detail["CompletedOn"] >= detail["StartedOn"] >= detail["CreatedAt"]
    tasks = task_instances(serverless, arn, started["RunId"])
    assert {task_id: t["Status"] for task_id, t in tasks.items()} == {
        "tickets": "SUCCESS",
        "checked": "SUCCESS",
    }
    assert sorted(detail["TaskInstances"]) == sorted(t["TaskInstanceId"] for t in tasks.values())
    assert tasks["checked"]["OperatorName"] == "DataQualityOperator"
    assert tasks["checked"]["AttemptNumber"] == 1
    # The tenant's own rows were read and validated into its own area of the lake; the
    # other tenant's files at the same place were not touched.
    checked = json.loads(tasks["checked"]["Xcom"]["table"])
    assert f"tenants/{tenant}/support/tickets_checked" in checked
    assert read_table(checked).num_rows == 3
    assert not (lake / "tenants" / neighbour / "support").exists()
    recorded = mwaa_serverless_runs(stand_in)[started["RunId"]]
    assert recorded.override_parameters == {"day": "mon"}


def test_a_failed_task_fails_the_run_and_its_downstream_never_runs(
    runs_ready: None, serverless: Any, s3: Any, bucket: str, lake: Path
) -> None:
    tenant = tenant_name()
    stage_tickets(lake, tenant, ["mail", "fax"])
    arn = create(serverless, s3, bucket, tenant, recheck=True)["WorkflowArn"]

    run_id = serverless.start_workflow_run(WorkflowArn=arn)["RunId"]
    detail = finished(serverless, arn, run_id)["RunDetail"]

    assert detail["RunState"] == "FAILED"
    assert "checked" in detail["ErrorMessage"]
    tasks = task_instances(serverless, arn, run_id)
    assert {task_id: t["Status"] for task_id, t in tasks.items()} == {
        "tickets": "SUCCESS",
        "checked": "FAILED",
        "rechecked": "UPSTREAM_FAILED",
    }
    assert "1 of 2 rows quarantined" in tasks["checked"]["ErrorMessage"]


def test_a_held_run_keeps_its_version_while_a_new_one_is_published(
    runs_ready: None, stand_in: StandIn, serverless: Any, s3: Any, bucket: str, lake: Path
) -> None:
    tenant = tenant_name()
    stage_tickets(lake, tenant, ["mail", "phone"])
    created = create(serverless, s3, bucket, tenant)
    arn, first_version = created["WorkflowArn"], created["WorkflowVersion"]

    with hold_runs(stand_in):
        first = serverless.start_workflow_run(WorkflowArn=arn, ClientToken="run-1")["RunId"]
        again = serverless.start_workflow_run(WorkflowArn=arn, ClientToken="run-1")
        assert (again["RunId"], again["Status"]) == (first, "QUEUED")
        doomed = serverless.start_workflow_run(WorkflowArn=arn)["RunId"]
        # Version 2 is published while the run of version 1 waits.
        _, text = definition(tenant, version=2, recheck=True)
        put(s3, bucket, f"{tenant}/definition.yaml", text)
        second_version = serverless.update_workflow(
            WorkflowArn=arn,
            DefinitionS3Location={"Bucket": bucket, "ObjectKey": f"{tenant}/definition.yaml"},
            RoleArn=ROLE.format(tenant=tenant),
        )["WorkflowVersion"]
        second = serverless.start_workflow_run(WorkflowArn=arn)["RunId"]
        waiting = serverless.get_workflow_run(WorkflowArn=arn, RunId=first)
        assert waiting["RunDetail"]["RunState"] == "QUEUED"
        assert waiting["WorkflowVersion"] == first_version
        # A run stopped before it started never runs.
        stopped = serverless.stop_workflow_run(WorkflowArn=arn, RunId=doomed)
        assert (stopped["Status"], stopped["WorkflowVersion"]) == ("STOPPED", first_version)

    ran_first = finished(serverless, arn, first)
    ran_second = finished(serverless, arn, second)
    assert ran_first["RunDetail"]["RunState"] == ran_second["RunDetail"]["RunState"] == "SUCCESS"
    assert ran_first["WorkflowVersion"] == first_version
    assert ran_second["WorkflowVersion"] == second_version
    assert set(task_instances(serverless, arn, first)) == {"tickets", "checked"}
    assert set(task_instances(serverless, arn, second)) == {"tickets", "checked", "rechecked"}
    never = serverless.get_workflow_run(WorkflowArn=arn, RunId=doomed)["RunDetail"]
    assert (never["RunState"], never.get("TaskInstances", [])) == ("STOPPED", [])
    runs = serverless.list_workflow_runs(WorkflowArn=arn, WorkflowVersion=first_version)
    assert {r["RunId"] for r in runs["WorkflowRuns"]} == {first, doomed}
    assert mwaa_serverless_runs(stand_in)[second].task_states == {
        "tickets": "SUCCESS",
        "checked": "SUCCESS",
        "rechecked": "SUCCESS",
    }


def test_a_running_run_is_stopped_and_its_unfinished_tasks_never_finish(
    runs_ready: None, serverless: Any, s3: Any, bucket: str, lake: Path
) -> None:
    tenant = tenant_name()
    stage_tickets(lake, tenant, ["mail", "phone"])
    arn = create(serverless, s3, bucket, tenant, recheck=True)["WorkflowArn"]
    run_id = serverless.start_workflow_run(WorkflowArn=arn)["RunId"]
    deadline = time.monotonic() + 300
    while serverless.get_workflow_run(WorkflowArn=arn, RunId=run_id)["RunDetail"]["RunState"] in {
        "QUEUED",
        "STARTING",
    }:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    stopping = serverless.stop_workflow_run(WorkflowArn=arn, RunId=run_id)
    assert stopping["Status"] == "STOPPING"

    detail = finished(serverless, arn, run_id)["RunDetail"]
    assert detail["RunState"] == "STOPPED"
    statuses = {t["TaskId"]: t["Status"] for t in task_instances(serverless, arn, run_id).values()}
    assert statuses.get("rechecked", "CANCELLED") == "CANCELLED"
    assert set(statuses.values()) <= {"SUCCESS", "CANCELLED"}
    assert not (lake / "tenants" / tenant / "support" / "tickets_rechecked").exists()
