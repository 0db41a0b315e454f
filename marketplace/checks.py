"""Validation and benchmark runs: started as Airflow DAG runs, results read from the catalog.

A deployment does not wait for a validation here: the `model_deployment` run validates a
version never validated itself (see :mod:`marketplace.deployments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from airloom.model_checks.benchmark import BenchmarkConf
from airloom.model_checks.validation import ValidationConf
from marketplace.catalog.queries import get_version
from marketplace.catalog.sync import CatalogSync
from marketplace.errors import Conflict, InvalidInput, Unavailable
from marketplace.models import CheckRun, utcnow
from marketplace.schemas import CheckResult, CheckRunPublic, CheckStatus
from servicekit.airflow_client import AirflowApiError, AirflowClient

ACTIVE_STATES = frozenset({"queued", "running"})


@dataclass(frozen=True)
class CheckKind:
    name: str  # "validation" | "benchmark"
    dag_id: str
    conf_model: type
    path: str  # the GET route that shows the status


VALIDATION = CheckKind("validation", "model_validation", ValidationConf, "validation")
BENCHMARK = CheckKind("benchmark", "model_benchmark", BenchmarkConf, "benchmark")


def status_url(kind: CheckKind, name: str, version: int) -> str:
    return f"/api/v1/models/{quote(name, safe='')}/versions/{version}/{kind.path}"


def public_run(run: CheckRun, airflow: AirflowClient | None = None) -> CheckRunPublic:
    kind = VALIDATION if run.kind == VALIDATION.name else BENCHMARK
    airflow_url = None
    if airflow is not None:
        try:
            airflow_url = f"{airflow.ui_url}/dags/{run.dag_id}/runs/{quote(run.run_id, safe='')}"
        except Exception:  # noqa: BLE001 - a link is a nicety; MWAA may not answer
            airflow_url = None
    return CheckRunPublic(
        kind=run.kind,
        model=run.model_name,
        version=run.version,
        dag_id=run.dag_id,
        run_id=run.run_id,
        state=run.state,
        conf=run.conf,
        created_at=run.created_at,
        status_url=status_url(kind, run.model_name, run.version),
        airflow_url=airflow_url,
    )


def latest_run(session: Session, kind: CheckKind, name: str, version: int) -> CheckRun | None:
    return session.scalar(
        select(CheckRun)
        .where(CheckRun.kind == kind.name, CheckRun.model_name == name, CheckRun.version == version)
        .order_by(CheckRun.created_at.desc(), CheckRun.id.desc())
        .limit(1)
    )


def refresh_run_state(session: Session, airflow: AirflowClient, run: CheckRun) -> bool:
    """Ask Airflow how an unfinished run is doing; True when it has just finished."""
    if run.state not in ACTIVE_STATES:
        return False
    try:
        state = airflow.get_run(run.dag_id, run.run_id).state
    except (AirflowApiError, httpx.HTTPError):
        return False  # Airflow briefly away: keep the last known state
    if state == run.state:
        return False
    run.state, run.updated_at = state, utcnow()
    session.commit()
    return state not in ACTIVE_STATES


def request_check(
    session: Session,
    airflow: AirflowClient,
    kind: CheckKind,
    tenant: str,
    name: str,
    version: int,
    options: dict[str, Any],
    requested_by: str = "",
) -> CheckRun:
    """Trigger the check's DAG for a version the tenant may see; 409 if one is in flight."""
    get_version(session, tenant, name, version)
    try:
        conf = kind.conf_model.model_validate(
            {**options, "model_name": name, "version": version}
        ).model_dump(mode="json", exclude_defaults=False)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise InvalidInput(f"invalid {kind.name} options: {problems}") from exc
    active = latest_run(session, kind, name, version)
    if active is not None:
        refresh_run_state(session, airflow, active)
        if active.state in ACTIVE_STATES:
            raise Conflict(
                f"a {kind.name} of {name} version {version} is already {active.state} "
                f"(run {active.run_id}); follow it at {status_url(kind, name, version)}"
            )
    try:
        dag_run = airflow.trigger(kind.dag_id, conf)
    except AirflowApiError as exc:
        if exc.status == 404:
            raise Unavailable(f"Airflow has no DAG {kind.dag_id!r}; is dags/ deployed?") from exc
        raise Unavailable(f"Airflow refused to start {kind.dag_id}: {exc.detail}") from exc
    except httpx.HTTPError as exc:
        raise Unavailable(f"Airflow cannot be reached to start {kind.dag_id}: {exc}") from exc
    run = CheckRun(
        kind=kind.name,
        model_name=name,
        version=version,
        tenant=tenant,
        dag_id=kind.dag_id,
        run_id=dag_run.run_id,
        state=dag_run.state,
        conf=conf,
        requested_by=requested_by,
    )
    session.add(run)
    session.commit()
    return run


def check_status(
    session: Session,
    airflow: AirflowClient | None,
    sync: CatalogSync | None,
    kind: CheckKind,
    tenant: str,
    name: str,
    version: int,
) -> CheckStatus:
    """The stored result, and the latest run's live state while it is in flight."""
    row = get_version(session, tenant, name, version)
    run = latest_run(session, kind, name, version)
    if run is not None and airflow is not None and refresh_run_state(session, airflow, run):
        if sync is not None:
            sync.refresh_model(name)  # pick up the tags the run just wrote
        session.expire_all()
        row = get_version(session, tenant, name, version)
    stored = getattr(row, kind.name)
    result = CheckResult(**stored) if stored else None
    if run is not None and run.state in ACTIVE_STATES:
        status = run.state
    elif result is not None and (run is None or result.run_id == run.run_id):
        status = result.status
    elif run is not None:
        status = "error" if run.state == "failed" else run.state  # the run recorded nothing
    else:
        status = "not_run"
    return CheckStatus(
        model=name,
        version=version,
        status=status,
        result=result,
        run=public_run(run, airflow) if run is not None else None,
    )
