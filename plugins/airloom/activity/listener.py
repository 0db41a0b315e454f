"""DAG runs and task instances as activity, through Airflow's listener plugin interface.

Airflow calls :class:`ActivityListener` where the state changes: DAG-run hooks in the
scheduler (and the API server, when a person marks a run), task-instance hooks in the task's
own process (the Task SDK runner). Tasks that ended without running (skipped by the scheduler,
upstream_failed) reach no task hook: they are reported when their run ends
(:mod:`airloom.activity.unreported_tasks`). Each hook only queues an event (see
:mod:`airloom.activity.producer`); the task process waits for its queue in ``before_stopping``,
just before it exits, so a task's event is not lost with the process. Nothing here raises into
Airflow: a hook that cannot tell what it saw logs it and counts it as a failed send.

Whose activity it is comes from the DAG and the run's conf (:mod:`airloom.activity.ownership`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

from airloom.activity.events import DagRunEvent, TaskRunEvent, utcnow
from airloom.activity.ownership import node_type_of, owner_of
from airloom.activity.producer import emit_new, flush
from airloom.activity.unreported_tasks import (
    never_ran_event_id,
    ran,
    report_tasks_that_never_ran,
)

log = logging.getLogger(__name__)


def duration(started: datetime | None, ended: datetime | None) -> float | None:
    if started is None or ended is None:
        return None
    return round((ended - started).total_seconds(), 3)


# -- what Airflow hands the hooks ----------------------------------------------------------------


def _run_tags(dag_run: Any) -> list[str]:
    dag = getattr(dag_run, "dag", None)
    if dag is not None and getattr(dag, "tags", None) is not None:
        return [str(tag) for tag in dag.tags]
    model = getattr(dag_run, "dag_model", None)  # the scheduler's run, before its DAG is set
    return [tag.name for tag in getattr(model, "tags", None) or []]


def _task_tags(task_instance: Any) -> list[str]:
    dag = getattr(getattr(task_instance, "task", None), "dag", None)
    if dag is not None and getattr(dag, "tags", None) is not None:
        return [str(tag) for tag in dag.tags]
    dag_run = getattr(task_instance, "dag_run", None)
    return _run_tags(dag_run) if dag_run is not None else []


def _task_conf(task_instance: Any) -> Mapping[str, Any] | None:
    # The Task SDK's instance has its run in the context the API server sent; a core one its own.
    context = getattr(task_instance, "_ti_context_from_server", None)
    dag_run = getattr(context, "dag_run", None) or getattr(task_instance, "dag_run", None)
    conf = getattr(dag_run, "conf", None)
    return conf if isinstance(conf, Mapping) else None


def _run_type(dag_run: Any) -> str | None:
    run_type = getattr(dag_run, "run_type", None)
    return None if run_type is None else str(getattr(run_type, "value", run_type))


def dag_run_event(dag_run: Any, state: str) -> None:
    owner = owner_of(dag_run.dag_id, _run_tags(dag_run), getattr(dag_run, "conf", None))
    started, ended = dag_run.start_date, None if state == "running" else dag_run.end_date
    emit_new(
        DagRunEvent,
        tenant=owner.tenant,
        at=ended or started or utcnow(),
        dag_id=dag_run.dag_id,
        run_id=dag_run.run_id,
        run_type=_run_type(dag_run),
        workflow=owner.workflow,
        workflow_version=owner.workflow_version,
        state=state,
        started_at=started,
        ended_at=ended,
        duration_s=duration(started, ended),
    )


def dag_run_ended(dag_run: Any, state: str) -> None:
    """The run's end, then its tasks that ended without running (no task hook saw them)."""
    dag_run_event(dag_run, state)
    owner = owner_of(dag_run.dag_id, _run_tags(dag_run), getattr(dag_run, "conf", None))
    report_tasks_that_never_ran(dag_run, owner)


def task_run_event(task_instance: Any, state: str) -> None:
    ti = task_instance
    owner = owner_of(ti.dag_id, _task_tags(ti), _task_conf(ti))
    started, ended = ti.start_date, ti.end_date or utcnow()
    same_id = {}
    if state == "skipped" and not ran(ti):  # marked skipped by a person: its run's end
        # reports it too, under this id, and the read model counts an event id once
        same_id["event_id"] = never_ran_event_id(
            ti.dag_id, ti.run_id, ti.task_id, getattr(ti, "map_index", -1), state
        )
    emit_new(
        TaskRunEvent,
        **same_id,
        tenant=owner.tenant,
        at=ended,
        dag_id=ti.dag_id,
        run_id=ti.run_id,
        task_id=ti.task_id,
        workflow=owner.workflow,
        workflow_version=owner.workflow_version,
        node_type=node_type_of(getattr(ti, "task", None)),
        state=state,
        try_number=getattr(ti, "try_number", None),
        started_at=started,
        ended_at=ended,
        duration_s=duration(started, ended),
    )


def _safely(describe: str, send: Any, *args: Any) -> None:
    try:
        send(*args)
    except Exception:  # a listener never fails a run or a task
        log.exception("could not record %s as activity", describe)


class ActivityListener:
    """Airflow listener hooks (pluggy) that turn runs and task instances into activity."""

    @hookimpl
    def on_dag_run_running(self, dag_run: Any, msg: str) -> None:
        _safely("a started DAG run", dag_run_event, dag_run, "running")

    @hookimpl
    def on_dag_run_success(self, dag_run: Any, msg: str) -> None:
        _safely("a successful DAG run", dag_run_ended, dag_run, "success")

    @hookimpl
    def on_dag_run_failed(self, dag_run: Any, msg: str) -> None:
        _safely("a failed DAG run", dag_run_ended, dag_run, "failed")

    @hookimpl
    def on_task_instance_success(self, previous_state: Any, task_instance: Any) -> None:
        _safely("a successful task", task_run_event, task_instance, "success")

    @hookimpl
    def on_task_instance_failed(self, previous_state: Any, task_instance: Any, error: Any) -> None:
        _safely("a failed task", task_run_event, task_instance, "failed")

    @hookimpl
    def on_task_instance_skipped(self, previous_state: Any, task_instance: Any) -> None:
        # Only a task that skipped itself while running (or one a person marked skipped);
        # those the scheduler skipped are reported when their run ends (dag_run_ended).
        _safely("a skipped task", task_run_event, task_instance, "skipped")

    @hookimpl
    def before_stopping(self, component: Any) -> None:
        # A task process exits right after this: send what it queued (bounded wait).
        flush()


class AirloomActivityPlugin(AirflowPlugin):
    """Registers :class:`ActivityListener` in every Airflow process that loads plugins."""

    name = "airloom_activity"
    listeners = [ActivityListener()]
