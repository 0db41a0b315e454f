"""Runs of published workflows through Airflow's REST API (directly, or through MWAA), or
through MWAA Serverless's API (:mod:`.serverless.client`, behind the same interface).

Each run is pinned to the version that was published when it was triggered: the builder waits
until Airflow has parsed exactly that version before it triggers, and Airflow 3 keeps a started
run on the DAG version it began with; MWAA Serverless is asked to start the service's version
the builder published. Task ids are node ids, so task instances map back to nodes.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from servicekit.airflow_client import AirflowApiError, AirflowClient
from workflow_builder_api.core.db import transaction
from workflow_builder_api.models import Run, Workflow
from workflow_builder_api.services.auth import Principal, Role
from workflow_builder_api.services.errors import (
    AirflowUnavailable,
    Conflict,
    InvalidInput,
    NotFound,
)
from workflow_builder_api.services.workflows import get_version, get_workflow, published_dag_id

log = structlog.get_logger()


@dataclass(frozen=True)
class RunRef:
    """Which Airflow run a node belongs to, and the tenant that owns it."""

    dag_id: str
    airflow_run_id: str
    tenant: str


@dataclass(frozen=True)
class NodeStatus:
    run: RunRef
    node_id: str
    node_type: str | None
    state: str | None  # Airflow's task state; None until the scheduler creates the task
    try_number: int
    start: datetime | None
    end: datetime | None
    log_url: str | None


@dataclass(frozen=True)
class RunStatus:
    state: str
    start: datetime | None
    end: datetime | None
    nodes: list[NodeStatus]

    @property
    def finished(self) -> bool:
        return self.state in {"success", "failed"}


def run_key(dag_id: str, airflow_run_id: str) -> str:
    """The builder's id of an Airflow run (32 hex digits), whoever records it first."""
    return hashlib.sha256(f"{dag_id}\n{airflow_run_id}".encode()).hexdigest()[:32]


def get_run(session: Session, principal: Principal, run_id: str) -> Run:
    principal.require(Role.VIEWER)
    run = session.get(Run, run_id)
    if run is None or run.tenant != principal.tenant:
        raise NotFound(f"no run {run_id!r}")
    return run


def list_runs(
    session: Session, principal: Principal, workflow_id: str | None = None, limit: int = 50
) -> list[Run]:
    principal.require(Role.VIEWER)
    query = select(Run).where(Run.tenant == principal.tenant)
    if workflow_id is not None:
        query = query.where(Run.workflow_id == get_workflow(session, principal, workflow_id).id)
    return list(session.scalars(query.order_by(Run.created_at.desc(), Run.id).limit(limit)))


def runs_of(session: Session, workflow_ids: list[str], limit: int) -> dict[str, list[Run]]:
    """Each workflow's newest runs (one query for a whole page of workflows)."""
    found: dict[str, list[Run]] = {workflow_id: [] for workflow_id in workflow_ids}
    newest = (
        func.row_number()
        .over(partition_by=Run.workflow_id, order_by=(Run.created_at.desc(), Run.id))
        .label("newest")
    )
    ranked = select(Run, newest).where(Run.workflow_id.in_(workflow_ids)).subquery()
    recent = aliased(Run, ranked)
    query = select(recent).where(ranked.c.newest <= limit).order_by(ranked.c.newest)
    for run in session.scalars(query):
        found[run.workflow_id].append(run)
    return found


def trigger_run(
    sessions: sessionmaker[Session],
    principal: Principal,
    client: AirflowClient,
    workflow_id: str,
    conf: dict[str, Any] | None = None,
    *,
    parse_timeout: float = 180.0,
) -> Run:
    """Trigger the published version; waits (outside any transaction) for Airflow to parse it."""
    if conf is not None and not isinstance(conf, dict):
        raise InvalidInput("conf must be a JSON object")
    with transaction(sessions) as session:
        principal.require(Role.EDITOR)
        workflow = get_workflow(session, principal, workflow_id)
        if workflow.published_version is None:
            raise InvalidInput(f"workflow {workflow.name!r} is not published; publish a version")
        version, workflow_id = workflow.published_version, workflow.id
        dag_id = published_dag_id(workflow)
        # MWAA Serverless's own id of the published version: the run is started on it.
        pinned = workflow.published_workflow_version
    if client.parses_published_files:
        dag = wait_for_version(client, dag_id, version, timeout=parse_timeout)
        if dag.get("is_paused", True):
            client.set_paused(dag_id, False)
    dag_run = client.trigger(dag_id, conf=conf or {}, pinned_version=pinned)
    with transaction(sessions) as session:
        # The id Airflow's listing of the run gets too (run_history), so it is recorded once.
        run = session.get(Run, run_key(dag_id, dag_run.run_id)) or Run(
            id=run_key(dag_id, dag_run.run_id), workflow_id=workflow_id, dag_id=dag_id
        )
        run.tenant = principal.tenant
        run.version = version
        run.airflow_run_id = dag_run.run_id
        run.conf = conf or {}
        run.state = dag_run.state
        run.triggered_by = principal.name
        session.add(run)
    log.info("run triggered", workflow=workflow_id, version=version, airflow_run=dag_run.run_id)
    return run


def wait_for_version(
    client: AirflowClient, dag_id: str, version: int, *, timeout: float, poll: float = 0.5
) -> dict[str, Any]:
    """Wait until Airflow's DAG processor has parsed ``version`` of the DAG's file and
    serialized it; return the DAG as Airflow describes it.

    A parse updates the DAG's record (tags, bundle version) every time but writes a new DAG
    version at most every ``[core] min_serialized_dag_update_interval``: a run created in
    between would take the old version's graph with the new commit's code. So the newest DAG
    version must carry the bundle version the record names.
    """
    deadline = time.monotonic() + timeout
    wanted = f"version:{version}"
    while True:
        dag = client.get_dag(dag_id)
        if dag is not None and wanted in {tag["name"] for tag in dag.get("tags") or []}:
            latest = client.latest_dag_version(dag_id)
            if latest is not None and latest.get("bundle_version") == dag.get("bundle_version"):
                return dag
        if time.monotonic() > deadline:
            seen = "not at all" if dag is None else "at another version"
            raise AirflowUnavailable(
                f"Airflow has not parsed version {version} of {dag_id} within {timeout:.0f} s "
                f"(it sees it {seen}); check the DAG processor and import errors"
            )
        time.sleep(poll)


def cancel_run(
    sessions: sessionmaker[Session], principal: Principal, client: AirflowClient, run_id: str
) -> Run:
    with transaction(sessions) as session:
        principal.require(Role.EDITOR)
        run = get_run(session, principal, run_id)
        dag_run = client.cancel(run.dag_id, run.airflow_run_id)
        run.state = dag_run.state
    return run


def retry_run(
    sessions: sessionmaker[Session],
    principal: Principal,
    client: AirflowClient,
    run_id: str,
    from_node: str | None = None,
) -> Run:
    """Run a finished run's tasks again from ``from_node`` (every failed node if None) and all
    that follows them, on the version the run started with."""
    with transaction(sessions) as session:
        principal.require(Role.EDITOR)
        run = get_run(session, principal, run_id)
        node_ids = [node_id for node_id, _ in _spec_nodes(session, run)]
        if from_node is not None and from_node not in node_ids:
            raise InvalidInput(
                f"run {run_id!r} has no node {from_node!r}; its nodes: {', '.join(node_ids)}"
            )
        try:
            cleared = client.clear_tasks(
                run.dag_id,
                run.airflow_run_id,
                [from_node] if from_node is not None else None,
                only_failed=from_node is None,
            )
        except AirflowApiError as exc:
            if exc.status == 409:  # a task of the run is still running
                raise Conflict(
                    f"run {run_id!r} is still running: wait until it ends, or cancel it"
                ) from exc
            raise
        if not cleared:
            raise InvalidInput(f"run {run_id!r} has no failed node to retry; name fromNode")
        run.state = "queued"
    log.info("run retried", run=run_id, airflow_run=run.airflow_run_id, tasks=cleared)
    return run


def run_status(session: Session, client: AirflowClient, run: Run) -> RunStatus:
    """The run's state and every node's task state, try, times and log link."""
    dag_run = client.get_run(run.dag_id, run.airflow_run_id)
    instances = {ti.task_id: ti for ti in client.task_instances(run.dag_id, run.airflow_run_id)}
    nodes = []
    spec_nodes = _spec_nodes(session, run)
    ref = RunRef(run.dag_id, run.airflow_run_id, run.tenant)
    for node_id, node_type in spec_nodes:
        ti = instances.get(node_id)
        nodes.append(
            NodeStatus(
                run=ref,
                node_id=node_id,
                node_type=node_type,
                state=ti.state if ti else None,
                try_number=ti.try_number if ti else 0,
                start=ti.start_date if ti else None,
                end=ti.end_date if ti else None,
                log_url=ti.log_url if ti else None,
            )
        )
    if run.state != dag_run.state:
        run.state = dag_run.state
    return RunStatus(dag_run.state, dag_run.start_date, dag_run.end_date, nodes)


def _spec_nodes(session: Session, run: Run) -> list[tuple[str, str | None]]:
    workflow = session.get(Workflow, run.workflow_id)
    if workflow is None:
        return []
    spec = get_version(session, workflow, run.version).spec
    return [
        (str(node.get("id")), node.get("type"))
        for node in spec.get("nodes") or []
        if isinstance(node, dict)
    ]


def dag_pauser(client: AirflowClient) -> Callable[[str], None]:
    """Pause a DAG before its file is withdrawn; a DAG Airflow never saw needs no pause."""

    def pause(dag_id: str) -> None:
        try:
            client.set_paused(dag_id, True)
        except AirflowApiError as exc:
            if exc.status != 404:
                raise
        except httpx.HTTPError as exc:
            # Airflow unreachable: withdrawing the file still stops new runs once it is back.
            log.warning("could not pause DAG", dag_id=dag_id, error=str(exc))

    return pause
