"""MWAA Serverless runs in the stand-in: each really runs its pinned version's definition.

``StartWorkflowRun`` pins the run to the given ``WorkflowVersion`` (else the latest) and queues
it. One dispatcher thread per stand-in takes runs in order, one at a time, and runs each: the
version's snapshotted definition is loaded by dag-factory into a DAG and run to completion in
this process with :func:`tests.harness.airflow.run_dag_object` (``dag.test()``), so the test
starting it needs the session's ``airflow_db`` and ``airloom_connections`` fixtures.
``OverrideParameters`` become the Airflow run's ``conf`` (the service documents them as
environment variables and parameter substitution; neither is modelled).

``RunState``: ``QUEUED`` (waiting for the dispatcher, or held: :func:`hold_runs`), ``STARTING``
(loading the definition), ``RUNNING``, then ``SUCCESS``, ``FAILED`` (a task failed, or the
definition no longer loads: ``ErrorMessage`` says which) or ``STOPPED``. Task instances come
from the Airflow run: read from its database while it runs, kept once it ended. Their
``TaskInstanceId`` is Airflow's task instance id (``ListTaskInstances`` answers no task id:
``GetTaskInstance`` does). Airflow's states map to the model's enum by name (``success`` →
``SUCCESS``, ``upstream_failed`` → ``UPSTREAM_FAILED``, not yet scheduled → ``NONE`` …);
``skipped``, which the enum lacks, is ``CANCELLED``: the task never ran and did not fail.
A failed task's ``ErrorMessage`` is the failure summary Airloom's operators record (XCom
``airloom_error``), else ``Task failed``; ``Xcom`` holds the task's XComs as JSON text, those
over the model's 255 characters left out.

``StopWorkflowRun``: a run not started yet ends ``STOPPED`` without running. A running one
answers ``STOPPING``; tasks not started yet are marked skipped in Airflow's database, so they
never start and report ``CANCELLED``; the task in flight completes (``dag.test()`` cannot be
interrupted), and the run then ends ``STOPPED`` whatever its tasks did.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.harness.airflow import PROJECT_ROOT
from tests.harness.aws_stand_ins.mwaa_serverless_model import (
    PREFIX,
    check_request,
    conflict,
    not_found,
    now,
    page,
    validation_error,
)
from tests.harness.aws_stand_ins.mwaa_serverless_state import (
    WorkflowVersionRecord,
    serverless,
    workflow,
)
from tests.harness.aws_stand_ins.mwaa_serverless_worker import CONNECTION_PREFIX
from tests.harness.aws_stand_ins.server import AwsError

if TYPE_CHECKING:
    from tests.harness.aws_stand_ins.server import StandIn

FINISHED = frozenset({"SUCCESS", "FAILED", "STOPPED", "TIMEOUT"})
_FINISHED_TASK = frozenset({"success", "failed", "upstream_failed", "skipped", "removed"})
_AIRFLOW_TO_STATUS = {"skipped": "CANCELLED", "awaiting_input": "DEFERRED"}
_ERROR_KEY = "airloom_error"  # airloom.operators.failures.ERROR_KEY
_MAX_TEXT = 255  # the model's GenericString
WORKER_MODULE = "tests.harness.aws_stand_ins.mwaa_serverless_worker"


@dataclass
class Run:
    run_id: str
    workflow_arn: str
    version: WorkflowVersionRecord
    override_parameters: dict[str, Any]
    created_at: str
    state: str = "QUEUED"
    started_on: str | None = None
    completed_on: str | None = None
    modified_at: str | None = None
    duration: int | None = None
    error_message: str | None = None
    stop_requested: bool = False
    dag_id: str | None = None
    airflow_run_id: str | None = None
    final_tasks: list[dict[str, Any]] | None = None
    _started: float = 0.0

    def set(self, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        self.modified_at = now()


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


@dataclass
class Runner:
    """Runs in order, one at a time, on the worker process; none starts while a test holds
    them."""

    stand_in: StandIn
    pending: queue.Queue[Run] = field(default_factory=queue.Queue)
    released: threading.Event = field(default_factory=threading.Event)
    holds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    worker: subprocess.Popen[str] | None = None
    current: Run | None = None
    log: Path = field(default_factory=lambda: Path(tempfile.mkstemp(".log", "mwaa-worker-")[1]))

    def __post_init__(self) -> None:
        _prepare_airflow()
        self.released.set()
        threading.Thread(target=self._loop, name="mwaa-serverless runs", daemon=True).start()

    def _loop(self) -> None:
        while True:
            run = self.pending.get()
            self.released.wait()
            _execute(self.stand_in, self, run)

    def send(self, job: dict[str, Any]) -> dict[str, Any] | None:
        """The worker's answer to ``job``; None when it was killed (or died) meanwhile."""
        for _ in range(2):
            worker = self._worker()
            try:
                assert worker.stdin is not None and worker.stdout is not None
                worker.stdin.write(json.dumps(job) + "\n")
                worker.stdin.flush()
                line = worker.stdout.readline()
            except BrokenPipeError:
                line = ""
            if line:
                return json.loads(line)
            if worker.wait() != 0:
                return None
            # It had just exited idle: the job goes to a new one.
        return None

    def kill(self, run: Run) -> None:
        with self.lock:
            if self.current is run and self.worker is not None:
                self.worker.kill()

    def _worker(self) -> subprocess.Popen[str]:
        with self.lock:
            if self.worker is None or self.worker.poll() is not None:
                with self.log.open("a") as log:
                    self.worker = subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "tests.harness.aws_stand_ins.mwaa_serverless_worker",
                        ],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=log,
                        cwd=PROJECT_ROOT,
                        text=True,
                    )
            return self.worker


def _prepare_airflow() -> None:
    """Airflow's models imported and mapped once, before runs and reads of their task
    instances meet on two threads: first imports there deadlock (the import lock against
    SQLAlchemy's mapper configuration)."""
    import airflow.dag_processing.dagbag
    import airflow.models.dagrun
    import airflow.serialization.serialized_objects  # noqa: F401
    from airflow.models import import_all_models
    from sqlalchemy.orm import configure_mappers

    import_all_models()
    configure_mappers()


def _runner(stand_in: StandIn) -> Runner:
    state = serverless(stand_in)
    with state.lock:
        if state.runner is None:
            state.runner = Runner(stand_in)
        return state.runner


@contextmanager
def hold_runs(stand_in: StandIn) -> Iterator[None]:
    """No run starts inside this block: runs started meanwhile (and any queued) stay
    ``QUEUED`` until it ends, then run in order. A run already running is not held."""
    runner = _runner(stand_in)
    with runner.lock:
        runner.holds += 1
        runner.released.clear()
    try:
        yield
    finally:
        with runner.lock:
            runner.holds -= 1
            if runner.holds == 0:
                runner.released.set()


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
            {task["task_id"]: _status(task) for task in _tasks(run)},
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
    _runner(stand_in).pending.put(run)
    return {"RunId": run.run_id, "Status": run.state, "StartedAt": run.created_at}


def get_workflow_run(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("GetWorkflowRun", body)
    run = _run(stand_in, body, missing=not_found("WorkflowRun", str(body["RunId"])))
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
        "TaskInstances": [task["id"] for task in _tasks(run)],
        "RunState": run.state,
    }
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
    for task in _tasks(run):
        summary = _task_common(run, task)
        summary["WorkflowArn"] = run.workflow_arn
        summaries.append(summary)
    return page(summaries, body, "TaskInstances")


def get_task_instance(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("GetTaskInstance", body)
    run = _run(stand_in, body, missing=not_found("WorkflowRun", str(body["RunId"])))
    task = next((t for t in _tasks(run, xcom=True) if t["id"] == body["TaskInstanceId"]), None)
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
        _runner(stand_in).kill(run)
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


def _execute(stand_in: StandIn, runner: Runner, run: Run) -> None:
    """One run's life: its pinned version run by the worker, how it ended kept."""
    lock = serverless(stand_in).lock
    logical_date = datetime.now(UTC)
    with lock:
        if run.state != "QUEUED":
            return  # stopped before it started
        run.set(
            state="RUNNING",
            started_on=now(),
            dag_id=run.version.dag_id,
            airflow_run_id=_airflow_run_id(logical_date),
        )
        runner.current = run
    started = time.monotonic()
    connections = {k: v for k, v in os.environ.items() if k.startswith(CONNECTION_PREFIX)}
    answer = runner.send(
        {
            "definition": run.version.definition_text,
            "conf": run.override_parameters or None,
            "logical_date": logical_date.isoformat(),
            "env": connections,
        }
    )
    with runner.lock:
        runner.current = None
    try:
        tasks = _airflow_tasks(run, xcom=True)
    except Exception:  # noqa: BLE001 - a run that never reached Airflow has no tasks
        tasks = []
    failed = sorted(task["task_id"] for task in tasks if task["state"] == "failed")
    if answer is not None and answer["state"] == "success":
        ended, message = "SUCCESS", None
    elif answer is not None:
        ended = "FAILED"
        message = f"Task(s) failed: {', '.join(failed)}" if failed else answer["error"]
    else:
        ended, message = "FAILED", f"The run's worker ended unexpectedly (log: {runner.log})"
    with lock:
        if run.stop_requested:
            ended, message = "STOPPED", None
            for task in tasks:
                if task["state"] not in _FINISHED_TASK:
                    task["state"] = "skipped"  # never ran to its end: CANCELLED
        run.set(
            state=ended,
            error_message=(message or "")[:_MAX_TEXT] or None,
            final_tasks=tasks,
            completed_on=now(),
            duration=round(time.monotonic() - started),
        )


def _airflow_run_id(logical_date: datetime) -> str:
    from airflow.models.dagrun import DagRun
    from airflow.utils.types import DagRunType

    return DagRun.generate_run_id(
        run_type=DagRunType.MANUAL, logical_date=logical_date, run_after=logical_date
    )


def _tasks(run: Run, xcom: bool = False) -> list[dict[str, Any]]:
    """The run's task instances: kept once it ended, read from Airflow while it runs."""
    if run.final_tasks is not None:
        return run.final_tasks
    if run.airflow_run_id is None or run.state not in ("RUNNING", "STOPPING"):
        return []
    return _airflow_tasks(run, xcom=xcom)


def _airflow_tasks(run: Run, xcom: bool) -> list[dict[str, Any]]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    order = {task_id: index for index, task_id in enumerate(run.version.task_ids)}
    where = {"dag_id": run.dag_id, "run_id": run.airflow_run_id}
    with create_session() as session:
        rows = session.scalars(select(TaskInstance).filter_by(**where)).all()
        tasks = [
            {
                "id": str(row.id),
                "task_id": row.task_id,
                "state": getattr(row.state, "value", row.state),
                "try_number": row.try_number,
                "start_date": _iso(row.start_date),
                "end_date": _iso(row.end_date),
                "updated_at": _iso(row.updated_at),
                "duration": None if row.duration is None else round(row.duration),
                "operator": row.operator,
                "xcom": {},
            }
            for row in rows
        ]
        if xcom:
            for row in session.scalars(select(XComModel).filter_by(**where)).all():
                value = XComModel.deserialize_value(row)
                task = next(t for t in tasks if t["task_id"] == row.task_id)
                text = json.dumps(value, default=str)
                if len(text) <= _MAX_TEXT:
                    task["xcom"][row.key] = text
                if row.key == _ERROR_KEY and isinstance(value, dict) and value.get("summary"):
                    task["error"] = str(value["summary"])[:_MAX_TEXT]
    return sorted(tasks, key=lambda task: (order.get(task["task_id"], len(order)), task["id"]))


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


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


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
