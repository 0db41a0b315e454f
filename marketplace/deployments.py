"""One-click deploy and rollback: the validation gate, then a `model_deployment` DAG run.

Deployment runs are kept beside validation and benchmark runs (``check_runs``, kind
``deployment``), with the target, endpoint and action in their conf. Which endpoint belongs to
which tenant follows from those runs: an endpoint belongs to the tenant whose model it was
deployed for, for as long as the target still has it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from airloom.deploy.rollout import default_endpoint_name
from marketplace.catalog.queries import get_listing, get_version
from marketplace.catalog.sync import CatalogSync
from marketplace.checks import (
    ACTIVE_STATES,
    latest_validation,
    refresh_run_state,
    run_validation_and_wait,
)
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from marketplace.models import ApiKey, CheckRun
from marketplace.schemas import CheckResult
from servicekit.airflow_client import AirflowApiError, AirflowClient

DEPLOYMENT_DAG = "model_deployment"
KIND = "deployment"
# SageMaker endpoints cost money by the hour: only paying tiers may create them.
SAGEMAKER_TIERS = ("pro", "enterprise")
VALIDATION_WAIT_SECONDS = 900.0
ENDPOINT_PATTERN = r"^[A-Za-z0-9](-*[A-Za-z0-9]){0,62}$"  # SageMaker's rule, for every target


class DeployRequest(BaseModel):
    target: Literal["local", "sagemaker"] = Field(default="local", description="Where to serve")
    endpoint: str | None = Field(
        default=None,
        pattern=ENDPOINT_PATTERN,
        description="Endpoint name (letters, digits, hyphens); default derived from the model",
    )
    reason: str = Field(default="", max_length=1000, description="Why, for the audit trail")


class RollbackRequest(BaseModel):
    reason: str = Field(default="", max_length=1000, description="Why, for the audit trail")


@dataclass
class ValidationRefused(Exception):
    """The version did not pass validation: nothing is deployed (409 with the report)."""

    message: str
    validation: CheckResult | None


def who(key: ApiKey) -> str:
    """The audit's "who": the key's name (or prefix) and its tenant."""
    return f"{key.name or key.prefix}@{key.tenant}"


def status_url(run_id: str) -> str:
    return f"/api/v1/deployments/{quote(run_id, safe='')}"


def deployment_runs(session: Session, tenant: str | None = None) -> list[CheckRun]:
    query = select(CheckRun).where(CheckRun.kind == KIND)
    if tenant is not None:
        query = query.where(CheckRun.tenant == tenant)
    return list(session.scalars(query.order_by(CheckRun.created_at.desc(), CheckRun.id.desc())))


def runs_for_endpoint(session: Session, endpoint: str) -> list[CheckRun]:
    """Every deployment run of ``endpoint``, newest first (any tenant)."""
    return [run for run in deployment_runs(session) if run.conf.get("endpoint") == endpoint]


def public_deployment(run: CheckRun, airflow: AirflowClient | None = None) -> dict[str, Any]:
    airflow_url = None
    if airflow is not None:
        try:
            airflow_url = f"{airflow.ui_url}/dags/{run.dag_id}/runs/{quote(run.run_id, safe='')}"
        except Exception:  # noqa: BLE001 - a link is a nicety
            airflow_url = None
    endpoint = run.conf.get("endpoint")
    return {
        "action": run.conf.get("action", "deploy"),
        "model": run.model_name,
        "version": run.version,
        "target": run.conf.get("target"),
        "endpoint": endpoint,
        "dag_id": run.dag_id,
        "run_id": run.run_id,
        "state": run.state,
        "requested_by": run.conf.get("deployed_by"),
        "reason": run.conf.get("reason", ""),
        "created_at": run.created_at.isoformat(),
        "status_url": status_url(run.run_id),
        "endpoint_url": f"/api/v1/endpoints/{quote(endpoint, safe='')}" if endpoint else None,
        "airflow_url": airflow_url,
    }


def gate(
    session: Session,
    airflow: AirflowClient,
    sync: CatalogSync,
    tenant: str,
    name: str,
    version: int,
) -> CheckResult:
    """The version's passed validation, validating it now if it never was."""
    result = latest_validation(session, tenant, name, version)
    if result is None:
        result = run_validation_and_wait(
            session, airflow, sync, tenant, name, version, timeout=VALIDATION_WAIT_SECONDS
        )
    if result is None or result.status != "passed":
        status = result.status if result else "error (the validation run recorded no result)"
        raise ValidationRefused(
            f"{name} version {version} did not pass validation ({status}); nothing was "
            "deployed and the champion alias is unchanged",
            result,
        )
    return result


def claim_endpoint(
    session: Session,
    airflow: AirflowClient,
    endpoint: str,
    tenant: str,
    target: str,
    holder: Callable[[str, str], str | None],
) -> None:
    """Refuse an endpoint another tenant holds, or one with a deployment still in flight.

    Who holds it is what its target records (:mod:`airloom.deploy.ownership`): the same rule a
    workflow's ``deploy`` node follows, whichever of them made the endpoint.
    """
    runs = runs_for_endpoint(session, endpoint)
    for run in runs[:1]:
        refresh_run_state(session, airflow, run)
        if run.state in ACTIVE_STATES:
            raise Conflict(
                f"a deployment to endpoint {endpoint!r} is already {run.state} "
                f"(run {run.run_id}); follow it at {status_url(run.run_id)}"
            )
    targets = {target, *(run.conf.get("target") or "local" for run in runs[:1])}
    if any(holder(endpoint, name) not in (None, tenant) for name in sorted(targets)):
        raise Conflict(f"endpoint name {endpoint!r} is taken; choose another endpoint name")


def request_deployment(
    session: Session,
    airflow: AirflowClient,
    sync: CatalogSync,
    key: ApiKey,
    name: str,
    version: int,
    body: DeployRequest,
    holder: Callable[[str, str], str | None],
) -> CheckRun:
    """Gate, then start a `model_deployment` run; the run to follow."""
    get_version(session, key.tenant, name, version)  # 404 for unknown or another tenant's
    if body.target == "sagemaker" and key.tier not in SAGEMAKER_TIERS:
        raise Forbidden(
            f"deploying to SageMaker needs the {' or '.join(SAGEMAKER_TIERS)} tier; "
            f"this key is {key.tier}"
        )
    try:
        endpoint = body.endpoint or default_endpoint_name(name)
    except ValueError as exc:
        raise InvalidInput(f"{exc}; name an endpoint") from exc
    claim_endpoint(session, airflow, endpoint, key.tenant, body.target, holder)
    gate(session, airflow, sync, key.tenant, name, version)
    conf = {
        "model_name": name,
        "version": version,
        "target": body.target,
        "endpoint": endpoint,
        "deployed_by": who(key),
        "reason": body.reason,
        "tenant": key.tenant,
        "action": "deploy",
        "require_validation": True,
    }
    return start_run(session, airflow, key, conf)


def start_run(
    session: Session, airflow: AirflowClient, key: ApiKey, conf: dict[str, Any]
) -> CheckRun:
    try:
        dag_run = airflow.trigger(DEPLOYMENT_DAG, conf)
    except AirflowApiError as exc:
        if exc.status == 404:
            raise Unavailable(f"Airflow has no DAG {DEPLOYMENT_DAG!r}; is dags/ deployed?") from exc
        raise Unavailable(f"Airflow refused to start {DEPLOYMENT_DAG}: {exc.detail}") from exc
    except httpx.HTTPError as exc:
        raise Unavailable(f"Airflow cannot be reached to start {DEPLOYMENT_DAG}: {exc}") from exc
    run = CheckRun(
        kind=KIND,
        model_name=conf["model_name"],
        version=conf["version"],
        tenant=key.tenant,
        dag_id=DEPLOYMENT_DAG,
        run_id=dag_run.run_id,
        state=dag_run.state,
        conf=conf,
        requested_by=key.prefix,
    )
    session.add(run)
    session.commit()
    return run


def deployment_status(
    session: Session,
    airflow: AirflowClient | None,
    sync: CatalogSync | None,
    tenant: str,
    run_id: str,
) -> CheckRun:
    run = session.scalar(select(CheckRun).where(CheckRun.kind == KIND, CheckRun.run_id == run_id))
    if run is None or run.tenant != tenant:
        raise NotFound(f"no deployment run {run_id!r}")
    if airflow is not None and refresh_run_state(session, airflow, run) and sync is not None:
        sync.refresh_model(run.model_name)  # the champion alias has moved
    return run


def model_history(client: Any, session: Session, tenant: str, name: str) -> list[dict[str, Any]]:
    """Every recorded deployment event of a model the tenant may see, oldest first."""
    from airloom.deploy.registry_target import deployment_history

    get_listing(session, tenant, name)
    return deployment_history(client, name)
