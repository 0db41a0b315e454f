"""MWAA Serverless runs in the stand-in: each really runs its pinned version's definition.

``StartWorkflowRun`` pins the run to the given ``WorkflowVersion`` (else the latest) and queues
it for the runner (:mod:`.mwaa_serverless_runner`), which runs the version's snapshotted
definition through ``dag.test()``. ``OverrideParameters`` become the Airflow run's ``conf``
(the service documents them as environment variables and parameter substitution; neither is
modelled). A ``ClientToken`` seen before answers the run it started.

``RunState``: ``QUEUED`` (waiting for the runner, or held: :func:`hold_runs`), ``RUNNING``,
then ``SUCCESS``, ``FAILED`` (a task failed, or the definition no longer loads:
``ErrorMessage`` says which) or ``STOPPED``. ``TaskInstanceId`` is Airflow's task instance
id (``ListTaskInstances`` answers no task id: ``GetTaskInstance`` does). Airflow's states map
to the model's enum by name (``success`` → ``SUCCESS``, ``upstream_failed`` →
``UPSTREAM_FAILED``, not scheduled yet → ``NONE`` …); ``skipped``, which the enum lacks, is
``CANCELLED``: the task never ran to its end and did not fail. A failed task's
``ErrorMessage`` is the failure summary Airloom's operators record (XCom ``airloom_error``),
else ``Task failed``; ``Xcom`` holds the task's XComs as JSON text, those over the model's
255 characters left out.

``StopWorkflowRun``: a run not started yet ends ``STOPPED`` without running. A running one
answers ``STOPPING``: its worker is killed, the task in flight with it, and the run ends
``STOPPED`` with every task that had not finished ``CANCELLED``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.harness.aws_stand_ins.mwaa_serverless_model import (
    PREFIX,
    check_request,
    conflict,
    not_found,
    now,
    page,
    validation_error,
)
from tests.harness.aws_stand_ins.mwaa_serverless_runner import (
    Run,
    hold_runs,
    runner_of,
    tasks,
)
from tests.harness.aws_stand_ins.mwaa_serverless_state import serverless, workflow
from tests.harness.aws_stand_ins.server import AwsError

if TYPE_CHECKING:
    from tests.harness.aws_stand_ins.server import StandIn

__all__ = ["RunRecord", "hold_runs", "mwaa_serverless_runs"]
FINISHED = frozenset({"SUCCESS", "FAILED", "STOPPED", "TIMEOUT"})
_AIRFLOW_TO_STATUS = {"skipped": "CANCELLED", "awaiting_input": "DEFERRED"}


@dataclass(frozen=True)
class RunRecord:
    """A run as tests read it; ``task_states`` by task id, in the model's enum."""

    run_id: str
    workflow_arn: str
    workflow_version: str
    state: str
    override_parameters: dict[str, Any]
    airflow_dag_id: str | None
    airflow_run_id: str | None
    task_states: dict[str, str]
    error_message: str | None


def mwaa_serverless_runs(stand_in: StandIn) -> dict[str, RunRecord]:
    """Every run, by ``RunId``, with the version it is pinned to and its tasks' states."""
    state = serverless(stand_in)
    with state.lock:
        runs = list(state.runs.values())
    return {
        run.run_id: RunRecord(
            run.run_id,
            run.workflow_arn,
            run.version.version,
            run.state,
            dict(run.override_parameters),
            run.dag_id,
            run.airflow_run_id,
            {task["task_id"]: _status(task) for task in tasks(run)},
            run.error_message,
        )
        for run in runs
    }


# -- the operations ------------------------------------------------------------------------------


def start_workflow_run(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("StartWorkflowRun", body)
    state = serverless(stand_in)
    token = body.get("ClientToken")
    request = {key: value for key, value in body.items() if key != "ClientToken"}
    with state.lock:
        if token in state.run_tokens:
            first_request, run_id = state.run_tokens[token]
            if first_request != request:
                raise conflict("WorkflowRun", run_id, "ClientToken was used with another request")
            run = state.runs[run_id]
            return {"RunId": run.run_id, "Status": run.state, "StartedAt": run.created_at}
        flow = workflow(stand_in, body["WorkflowArn"])
        run = Run(
            run_id=uuid.uuid4().hex,
            workflow_arn=flow.arn,
            version=flow.version(body.get("WorkflowVersion")),
            override_parameters=dict(body.get("OverrideParameters") or {}),
            created_at=now(),
        )
        run.modified_at = run.created_at
        state.runs[run.run_id] = run
        if token:
            state.run_tokens[token] = (request, run.run_id)
    runner_of(stand_in).pending.put(run)
    return {"RunId": run.run_id, "Status": run.state, "StartedAt": run.created_at}


def get_workflow_run(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("GetWorkflowRun", body)
    run = _run(stand_in, body, missing=not_found("WorkflowRun", str(body["RunId"])))
    with serverless(stand_in).lock:  # one moment of the run, not half of its ending
        detail = {
            "WorkflowArn": run.workflow_arn,
            "WorkflowVersion": run.version.version,
            "RunId": run.run_id,
            "RunType": "ON_DEMAND",
            "StartedOn": run.started_on,
            "CreatedAt": run.created_at,
            "CompletedOn": run.completed_on,
            "ModifiedAt": run.modified_at,
            "Duration": run.duration,
            "ErrorMessage": run.error_message,
            "RunState": run.state,
        }
    detail["TaskInstances"] = [task["id"] for task in tasks(run)]
    return {
        "WorkflowArn": run.workflow_arn,
        "WorkflowVersion": run.version.version,
        "RunId": run.run_id,
        "RunType": "ON_DEMAND",
        "OverrideParameters": run.override_parameters,
        "RunDetail": {key: value for key, value in detail.items() if value is not None},
    }


def list_workflow_runs(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("ListWorkflowRuns", body)
    state = serverless(stand_in)
    with state.lock:
        runs = [
            run
            for run in state.runs.values()
            if run.workflow_arn == body["WorkflowArn"]
            and body.get("WorkflowVersion") in (None, run.version.version)
        ]
        summaries = []
        for run in sorted(runs, key=lambda run: run.created_at, reverse=True):
            summary = {"Status": run.state, "CreatedOn": run.created_at}
            summary.update(StartedAt=run.started_on, EndedAt=run.completed_on)
            summaries.append(
                {
                    "RunId": run.run_id,
                    "WorkflowArn": run.workflow_arn,
                    "WorkflowVersion": run.version.version,
                    "RunType": "ON_DEMAND",
                    "RunDetailSummary": {k: v for k, v in summary.items() if v is not None},
                }
            )
    return page(summaries, body, "WorkflowRuns")


def list_task_instances(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("ListTaskInstances", body)
    run = _run(stand_in, body, missing=validation_error("RunId", f"No run {body['RunId']}"))
    summaries = []
    for task in tasks(run):
        summary = _task_common(run, task)
        summary["WorkflowArn"] = run.workflow_arn
        summaries.append(summary)
    return page(summaries, body, "TaskInstances")


def get_task_instance(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("GetTaskInstance", body)
    run = _run(stand_in, body, missing=not_found("WorkflowRun", str(body["RunId"])))
    task = next((t for t in tasks(run, xcom=True) if t["id"] == body["TaskInstanceId"]), None)
    if task is None:
        raise not_found("TaskInstance", str(body["TaskInstanceId"]))
    answer = _task_common(run, task)
    answer.update(
        WorkflowArn=run.workflow_arn,
        TaskId=task["task_id"],
        AttemptNumber=task["try_number"],
        StartedAt=task["start_date"],
        EndedAt=task["end_date"],
        ModifiedAt=task["updated_at"],
        LogStream=f"{run.run_id}_{task['task_id']}_{task['try_number']}",
        Xcom=task["xcom"],
    )
    if answer["Status"] == "FAILED":
        answer["ErrorMessage"] = task.get("error") or "Task failed"
    return {key: value for key, value in answer.items() if value is not None}


def stop_workflow_run(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("StopWorkflowRun", body)
    state = serverless(stand_in)
    run = _run(stand_in, body, missing=not_found("WorkflowRun", str(body["RunId"])))
    with state.lock:
        if run.state == "QUEUED":
            run.set(state="STOPPED", completed_on=now())
        elif run.state not in FINISHED:
            run.set(state="STOPPING", stop_requested=True)
    if run.state == "STOPPING":
        runner_of(stand_in).kill(run)
    return {
        "WorkflowArn": run.workflow_arn,
        "WorkflowVersion": run.version.version,
        "RunId": run.run_id,
        "Status": run.state,
    }


def stop_runs_of(stand_in: StandIn, arn: str, version: str | None) -> None:
    """A deleted workflow's (or version's) runs that have not started end ``STOPPED``."""
    state = serverless(stand_in)
    with state.lock:
        for run in state.runs.values():
            pinned = version in (None, run.version.version)
            if run.workflow_arn == arn and pinned and run.state == "QUEUED":
                run.set(state="STOPPED", completed_on=now())


# -- running ---------------------------------------------------------------------------------------


def _task_common(run: Run, task: dict[str, Any]) -> dict[str, Any]:
    summary = {
        "WorkflowVersion": run.version.version,
        "RunId": run.run_id,
        "TaskInstanceId": task["id"],
        "Status": _status(task),
        "DurationInSeconds": task["duration"] if task["end_date"] else None,
        "OperatorName": task["operator"],
    }
    return {key: value for key, value in summary.items() if value is not None}


def _status(task: dict[str, Any]) -> str:
    state = task["state"]
    if state is None:
        return "NONE"
    return _AIRFLOW_TO_STATUS.get(state, str(state).upper())


def _run(stand_in: StandIn, body: dict[str, Any], missing: AwsError) -> Run:
    run = serverless(stand_in).runs.get(body["RunId"])
    if run is None or run.workflow_arn != body["WorkflowArn"]:
        raise missing
    return run


RUN_TARGETS = {
    f"{PREFIX}.StartWorkflowRun": start_workflow_run,
    f"{PREFIX}.GetWorkflowRun": get_workflow_run,
    f"{PREFIX}.ListWorkflowRuns": list_workflow_runs,
    f"{PREFIX}.ListTaskInstances": list_task_instances,
    f"{PREFIX}.GetTaskInstance": get_task_instance,
    f"{PREFIX}.StopWorkflowRun": stop_workflow_run,
}
