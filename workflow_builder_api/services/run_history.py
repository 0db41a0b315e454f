"""Every run of a workflow, whoever started it: the builder, the schedule, an asset event, or a
person in Airflow's UI.

Airflow is the record of what ran. When runs are listed, the builder asks Airflow for the newest
runs of the workflows' DAGs and records the ones it has not seen, each with the workflow version
it ran: the version held by the DAG file Airflow parsed for the run's DAG version (Airflow keeps
each version's source). A run's id in the builder derives from its DAG id and Airflow run id,
so two requests recording the same run at once store one row.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from airloom.workflow.compiler import published_document
from airloom.workflow.factory import dag_id_for
from servicekit.airflow_client import AirflowApiError, AirflowClient, DagRun
from workflow_builder_api.models import Run, Workflow, utcnow
from workflow_builder_api.services.auth import Principal, Role
from workflow_builder_api.services.runs import list_runs, run_key, runs_of
from workflow_builder_api.services.workflows import get_workflow, published_dag_id

log = structlog.get_logger()
MAX_LISTED = 500  # Airflow runs asked for in one listing
# Who started a run Airflow started, by its run type; the builder's own say who triggered them.
STARTED_BY = {"scheduled": "schedule", "asset_triggered": "asset", "backfill": "backfill"}
RUN_TYPES = ("scheduled", "manual", "asset_triggered", "asset_materialization", "backfill")

# (DAG id, Airflow's DAG version number) -> workflow version: a DAG version never changes.
_versions: dict[tuple[str, int], int] = {}
_versions_lock = threading.Lock()


def run_type(airflow_run_id: str) -> str:
    """How Airflow started the run, as its generated run id says (``scheduled__2026-…``)."""
    prefix = airflow_run_id.partition("__")[0]
    return prefix if prefix in RUN_TYPES else "manual"


def list_every_run(
    session: Session,
    principal: Principal,
    client: AirflowClient,
    workflow_id: str | None = None,
    limit: int = 50,
) -> list[Run]:
    """The tenant's runs (of one workflow if given), newest first, Airflow's included."""
    principal.require(Role.VIEWER)
    if workflow_id is not None:
        workflows = [get_workflow(session, principal, workflow_id)]
    else:
        workflows = list(
            session.scalars(
                select(Workflow).where(
                    Workflow.tenant == principal.tenant,
                    Workflow.deleted_at.is_(None),
                    Workflow.published_version.is_not(None),
                )
            )
        )
    record_airflow_runs(session, client, workflows, limit)
    return list_runs(session, principal, workflow_id, limit)


def record_airflow_runs(
    session: Session, client: AirflowClient, workflows: Sequence[Workflow], limit: int
) -> None:
    """Record the newest runs Airflow has of ``workflows`` that the builder has not seen, and
    refresh the state of those it has. Airflow out of reach leaves the records as they are."""
    dags = {_dag_id(workflow): workflow for workflow in workflows if workflow.deleted_at is None}
    if not dags:
        return
    try:
        found = client.runs_of(dags, limit=min(limit * len(dags), MAX_LISTED))
    except (httpx.HTTPError, AirflowApiError) as exc:
        log.warning("runs not read from Airflow: listing the builder's records", error=str(exc))
        return
    known = {
        (run.dag_id, run.airflow_run_id): run
        for run in session.scalars(
            select(Run).where(
                Run.dag_id.in_(list(dags)),
                Run.airflow_run_id.in_([dag_run.run_id for dag_run in found]),
            )
        )
    }
    for dag_run in found:
        workflow = dags.get(dag_run.dag_id)
        recorded = known.get((dag_run.dag_id, dag_run.run_id))
        if recorded is not None:
            recorded.state = dag_run.state
        elif workflow is not None:
            _record(session, client, workflow, dag_run)


def _record(session: Session, client: AirflowClient, workflow: Workflow, dag_run: DagRun) -> None:
    created = dag_run.queued_at or dag_run.run_after or utcnow()
    if created < workflow.created_at:
        return  # a run of an earlier, deleted workflow of the same name
    version = workflow_version(client, dag_run)
    row = {
        "id": run_key(dag_run.dag_id, dag_run.run_id),
        "workflow_id": workflow.id,
        "tenant": workflow.tenant,
        "version": version or workflow.published_version or workflow.current_version,
        "dag_id": dag_run.dag_id,
        "airflow_run_id": dag_run.run_id,
        "conf": dag_run.conf,
        "state": dag_run.state,
        "triggered_by": STARTED_BY.get(dag_run.run_type or "", "airflow"),
        "created_at": created,
    }
    # Another request may be recording the same run right now: its row is this one.
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(Run).values(**row).on_conflict_do_nothing(index_elements=["id"]))


def workflow_version(client: AirflowClient, dag_run: DagRun) -> int | None:
    """The workflow version the run started on, from the DAG file of its first DAG version."""
    if not dag_run.dag_versions:
        return None
    key = (dag_run.dag_id, dag_run.dag_versions[0])
    with _versions_lock:
        if key in _versions:
            return _versions[key]
    try:
        source = client.dag_source(*key)
    except (httpx.HTTPError, AirflowApiError) as exc:
        log.warning("DAG source not read from Airflow", dag_id=key[0], error=str(exc))
        return None
    document = published_document(source or "")
    version = document.get("version") if document else None
    if not isinstance(version, int):
        return None
    with _versions_lock:
        _versions[key] = version
    return version


def _dag_id(workflow: Workflow) -> str:
    return published_dag_id(workflow) or dag_id_for(workflow.tenant, workflow.name)


def newest_runs_of(
    session: Session, client: AirflowClient, workflow_ids: list[str], limit: int
) -> dict[str, list[Run]]:
    """Each workflow's newest runs, Airflow's included (the ids are of workflows the caller was
    already shown, so checked for its tenant)."""
    workflows = list(session.scalars(select(Workflow).where(Workflow.id.in_(workflow_ids))))
    record_airflow_runs(session, client, workflows, limit)
    return runs_of(session, workflow_ids, limit)
