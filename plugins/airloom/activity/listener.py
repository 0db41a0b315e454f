"""DAG runs and task instances as activity, through Airflow's listener plugin interface.

Airflow calls :class:`ActivityListener` where the state changes: DAG-run hooks in the
scheduler (and the API server, when a person marks a run), task-instance hooks in the task's
own process (the Task SDK runner). Each hook only queues an event (see
:mod:`airloom.activity.producer`); the task process waits for its queue in ``before_stopping``,
just before it exits, so a task's event is not lost with the process. Nothing here raises into
Airflow: a hook that cannot tell what it saw logs it and counts it as a failed send.

Whose activity it is comes from the DAG: a published workflow's DAG carries ``tenant:…`` and
``version:…`` tags (see :mod:`airloom.workflow.factory`) and its id names the workflow; a
built-in DAG is the platform's ``default`` tenant's, except a run whose conf names a tenant
(the marketplace's deploy, validation and benchmark runs), which is that tenant's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

from airloom.activity.events import DagRunEvent, TaskRunEvent, utcnow
from airloom.activity.producer import emit_new, flush
from airloom.model_tags import DEFAULT_TENANT
from airloom.tenancy import TENANT_PATTERN

log = logging.getLogger(__name__)

TENANT_TAG = "tenant:"
VERSION_TAG = "version:"


@dataclass(frozen=True)
class Owner:
    """Whose DAG it is: tenant, workflow (name, or a built-in DAG's id) and version."""

    tenant: str
    workflow: str
    workflow_version: int | None


def owner_of(dag_id: str, tags: Iterable[str], conf: Mapping[str, Any] | None) -> Owner:
    """The tenant, workflow and version of a run of ``dag_id`` with ``tags`` and ``conf``."""
    tags = list(tags)
    tenant = _tag(tags, TENANT_TAG)
    if tenant is not None:
        version = _tag(tags, VERSION_TAG)
        return Owner(
            tenant=tenant,
            workflow=_workflow_name(dag_id, tenant),
            workflow_version=int(version) if version and version.isdigit() else None,
        )
    named = (conf or {}).get("tenant")
    if isinstance(named, str) and TENANT_PATTERN.fullmatch(named):
        return Owner(tenant=named, workflow=dag_id, workflow_version=None)
    return Owner(tenant=DEFAULT_TENANT, workflow=dag_id, workflow_version=None)


def _tag(tags: Iterable[str], prefix: str) -> str | None:
    return next((tag.removeprefix(prefix) for tag in tags if tag.startswith(prefix)), None)


def _workflow_name(dag_id: str, tenant: str) -> str:
    # The ids airloom.workflow.factory gives (dag_id_for, and legacy_dag_id before it).
    for prefix in (f"wf-{tenant}-", f"wf_{tenant}__"):
        if dag_id.startswith(prefix):
            return dag_id.removeprefix(prefix)
    return dag_id


def node_type_of(task: Any) -> str:
    """The builder's node type of the operator, or its class name for tasks that are not nodes."""
    if task is None:
        return "unknown"
    return getattr(type(task), "node_type", "") or type(task).__name__


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


def task_run_event(task_instance: Any, state: str) -> None:
    ti = task_instance
    owner = owner_of(ti.dag_id, _task_tags(ti), _task_conf(ti))
    started, ended = ti.start_date, ti.end_date or utcnow()
    emit_new(
        TaskRunEvent,
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
        _safely("a successful DAG run", dag_run_event, dag_run, "success")

    @hookimpl
    def on_dag_run_failed(self, dag_run: Any, msg: str) -> None:
        _safely("a failed DAG run", dag_run_event, dag_run, "failed")

    @hookimpl
    def on_task_instance_success(self, previous_state: Any, task_instance: Any) -> None:
        _safely("a successful task", task_run_event, task_instance, "success")

    @hookimpl
    def on_task_instance_failed(self, previous_state: Any, task_instance: Any, error: Any) -> None:
        _safely("a failed task", task_run_event, task_instance, "failed")

    @hookimpl
    def before_stopping(self, component: Any) -> None:
        # A task process exits right after this: send what it queued (bounded wait).
        flush()


class AirloomActivityPlugin(AirflowPlugin):
    """Registers :class:`ActivityListener` in every Airflow process that loads plugins."""

    name = "airloom_activity"
    listeners = [ActivityListener()]
