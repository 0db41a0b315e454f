"""Task instances that ended without running: reported when their DAG run ends.

Airflow's task-instance hooks run in the task's own process, so they see only tasks that ran:
``on_task_instance_skipped`` is called for a task that skipped itself (``AirflowSkipException``),
never for one the scheduler skipped (a branch not taken, a trigger rule, ``ShortCircuit``) nor
for one that became ``upstream_failed`` (the hook spec says so, and points to the DAG-run
hooks). So when a run ends, the listener lists its task instances in those states that never
started a try and sends one ``task_run`` each, without times (``duration_s`` null: nothing ran,
nothing is charged).

Each such event's ``event_id`` is derived from the run, task, map index and state, so a run
that ends twice (cleared and rerun) sends the same event again and the read model, which counts
an ``event_id`` once, still counts the task once.
"""

from __future__ import annotations

import logging
import uuid
from functools import cache
from typing import Any

from sqlalchemy.orm import object_session

from airloom.activity.events import TaskRunEvent, utcnow
from airloom.activity.ownership import Owner
from airloom.activity.producer import emit_new

log = logging.getLogger(__name__)

# The ends no task hook reports when the task never ran.
NEVER_RAN_STATES = ("skipped", "upstream_failed")
_EVENT_IDS = uuid.UUID("5d3c8f0e-6a52-4d1e-9a57-0c1e4f7b2a91")  # namespace of these event ids


def report_tasks_that_never_ran(dag_run: Any, owner: Owner) -> int:
    """Send a ``task_run`` for each task instance of ``dag_run`` that ended skipped or
    upstream_failed without running; how many were sent."""
    from airflow.utils.state import TaskInstanceState

    states = [TaskInstanceState(state) for state in NEVER_RAN_STATES]
    # The scheduler's own session: it may have set these states in its open transaction.
    session = object_session(dag_run)
    extra = {"session": session} if session is not None else {}
    sent = 0
    for ti in dag_run.get_task_instances(state=states, **extra):
        if ran(ti):
            continue  # it skipped itself: on_task_instance_skipped has reported it
        state = str(getattr(ti.state, "value", ti.state))
        emit_new(
            TaskRunEvent,
            event_id=never_ran_event_id(ti.dag_id, ti.run_id, ti.task_id, ti.map_index, state),
            tenant=owner.tenant,
            at=ti.end_date or dag_run.end_date or utcnow(),
            dag_id=ti.dag_id,
            run_id=ti.run_id,
            task_id=ti.task_id,
            workflow=owner.workflow,
            workflow_version=owner.workflow_version,
            node_type=node_type_named(getattr(ti, "operator", None)),
            state=state,
            try_number=ti.try_number,
            started_at=None,
            ended_at=None,
            duration_s=None,
        )
        sent += 1
    return sent


def never_ran_event_id(
    dag_id: str, run_id: str, task_id: str, map_index: int, state: str
) -> uuid.UUID:
    """The same id each time one task instance's end is reported."""
    return uuid.uuid5(_EVENT_IDS, f"{dag_id}\x1f{run_id}\x1f{task_id}\x1f{map_index}\x1f{state}")


def ran(ti: Any) -> bool:
    """Whether a try of the task instance started (a worker claimed it)."""
    # A try that started was claimed by a worker, which recorded where it ran.
    return bool(getattr(ti, "hostname", None)) or getattr(ti, "pid", None) is not None


def node_type_named(operator_class: str | None) -> str:
    """The builder's node type of an operator class name (what the scheduler's task instance
    records), else the class name itself, as :func:`airloom.activity.ownership.node_type_of`."""
    if not operator_class:
        return "unknown"
    return _node_types_by_class().get(operator_class, operator_class)


@cache
def _node_types_by_class() -> dict[str, str]:
    try:
        from airloom.catalog import node_types

        return {node.operator.__name__: name for name, node in node_types().items()}
    except Exception:  # the catalog failing to load must not stop a run's report
        log.exception("could not load Airloom's node catalog; reporting operator class names")
        return {}
