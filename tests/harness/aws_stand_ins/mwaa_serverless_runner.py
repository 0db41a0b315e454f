"""The MWAA Serverless stand-in's runner: runs in order, one at a time, on a worker process.

A run's pinned version is run by :mod:`.mwaa_serverless_worker`, a Python process of its own
started with the first run (Airflow's task runner installs signal handlers, which only a main
thread may do, so ``dag.test()`` cannot run on a thread of the test process). The worker
loads the version's snapshotted definition with dag-factory and runs it to completion with
:func:`tests.harness.airflow.run_dag_object`, on the session's Airflow database and with the
Airflow connections the test process has when the run starts: a test running workflows needs
the ``airflow_db`` and ``airloom_connections`` fixtures. Task instances are read from that
database while the run goes on, and kept once it ended.

:func:`hold_runs` keeps runs ``QUEUED`` until the block ends. Stopping a running run kills the
worker (as the service terminates task containers); the next run starts another.
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.harness.airflow import PROJECT_ROOT
from tests.harness.aws_stand_ins.mwaa_serverless_model import now
from tests.harness.aws_stand_ins.mwaa_serverless_state import WorkflowVersionRecord, serverless
from tests.harness.aws_stand_ins.mwaa_serverless_worker import CONNECTION_PREFIX

if TYPE_CHECKING:
    from tests.harness.aws_stand_ins.server import StandIn

FINISHED_TASK = frozenset({"success", "failed", "upstream_failed", "skipped", "removed"})
ERROR_KEY = "airloom_error"  # airloom.operators.failures.ERROR_KEY
MAX_TEXT = 255  # the model's GenericString
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

    def set(self, **changes: Any) -> None:
        """Changes the run; its state last, so a reader that sees the new state (readers
        take no lock) sees everything that came with it."""
        state = changes.pop("state", self.state)
        for name, value in changes.items():
            setattr(self, name, value)
        self.modified_at = now()
        self.state = state


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
            execute(self.stand_in, self, run)

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
    import airflow.models.dagrun  # noqa: F401
    from airflow.models import import_all_models
    from sqlalchemy.orm import configure_mappers

    import_all_models()
    configure_mappers()


def runner_of(stand_in: StandIn) -> Runner:
    state = serverless(stand_in)
    with state.lock:
        if state.runner is None:
            state.runner = Runner(stand_in)
        return state.runner


@contextmanager
def hold_runs(stand_in: StandIn) -> Iterator[None]:
    """No run starts inside this block: runs started meanwhile (and any queued) stay
    ``QUEUED`` until it ends, then run in order. A run already running is not held."""
    held = runner_of(stand_in)
    with held.lock:
        held.holds += 1
        held.released.clear()
    try:
        yield
    finally:
        with held.lock:
            held.holds -= 1
            if held.holds == 0:
                held.released.set()


def execute(stand_in: StandIn, runner: Runner, run: Run) -> None:
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
        found = _airflow_tasks(run, xcom=True)
    except Exception:  # noqa: BLE001 - a run that never reached Airflow has no tasks
        found = []
    failed = sorted(task["task_id"] for task in found if task["state"] == "failed")
    if answer is not None and answer["state"] == "success":
        ended, message = "SUCCESS", None
    elif answer is not None:
        ended = "FAILED"
        message = (
            f"Task(s) failed: {', '.join(failed)}"
            if failed
            else answer["error"] or "The run failed"
        )
    else:
        ended, message = "FAILED", f"The run's worker ended unexpectedly (log: {runner.log})"
    with lock:
        if run.stop_requested:
            ended, message = "STOPPED", None
            for task in found:
                if task["state"] not in FINISHED_TASK:
                    task["state"] = "skipped"  # never ran to its end: CANCELLED
        run.set(
            state=ended,
            error_message=(message or "")[:MAX_TEXT] or None,
            final_tasks=found,
            completed_on=now(),
            duration=round(time.monotonic() - started),
        )


def _airflow_run_id(logical_date: datetime) -> str:
    from airflow.models.dagrun import DagRun
    from airflow.utils.types import DagRunType

    return DagRun.generate_run_id(
        run_type=DagRunType.MANUAL, logical_date=logical_date, run_after=logical_date
    )


def tasks(run: Run, xcom: bool = False) -> list[dict[str, Any]]:
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
                if len(text) <= MAX_TEXT:
                    task["xcom"][row.key] = text
                if row.key == ERROR_KEY and isinstance(value, dict) and value.get("summary"):
                    task["error"] = str(value["summary"])[:MAX_TEXT]
    return sorted(tasks, key=lambda task: (order.get(task["task_id"], len(order)), task["id"]))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
