"""One-click deploy and rollback: claim the endpoint, start a `model_deployment` DAG run, answer.

A request checks only what it can check at once — the version is the tenant's, the tier may use
the target, the endpoint name is valid and not another tenant's or busy — and starts the run;
the run validates a version never validated (``require_validation``) and reports its phase.
Deployment runs are kept beside validation and benchmark runs (``check_runs``, kind
``deployment``, indexed by endpoint); who holds an endpoint is the ``endpoints`` table's.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from airloom.deploy.rollout import default_endpoint_name
from marketplace.activity import deployment_event
from marketplace.catalog.queries import get_listing, get_version
from marketplace.catalog.sync import CatalogSync
from marketplace.checks import refresh_run_state
from marketplace.deployment_progress import progress
from marketplace.deployment_schemas import DeploymentPublic, DeployRequest
from marketplace.endpoint_claims import Claim, claim, release_if_ended, status_url, undo
from marketplace.endpoint_directory import EndpointDirectory
from marketplace.errors import Forbidden, InvalidInput, NotFound, Unavailable
from marketplace.models import DEPLOYMENT_RUN, ApiKey, CheckRun, Endpoint
from marketplace.targets import Targets
from servicekit.airflow_client import AirflowApiError, AirflowClient

DEPLOYMENT_DAG = "model_deployment"
KIND = DEPLOYMENT_RUN
# SageMaker endpoints cost money by the hour: only paying tiers may create them.
SAGEMAKER_TIERS = ("pro", "enterprise")


def who(key: ApiKey) -> str:
    """The audit's "who": the key's name (or prefix) and its tenant."""
    return f"{key.name or key.prefix}@{key.tenant}"


def endpoint_runs(session: Session, endpoint: str, tenant: str) -> list[CheckRun]:
    """The tenant's deployment runs of ``endpoint``, newest first (an indexed read)."""
    query = (
        select(CheckRun)
        .where(CheckRun.endpoint == endpoint, CheckRun.kind == KIND, CheckRun.tenant == tenant)
        .order_by(CheckRun.created_at.desc(), CheckRun.id.desc())
    )
    return list(session.scalars(query))


def public_deployment(
    session: Session, airflow: AirflowClient | None, run: CheckRun
) -> DeploymentPublic:
    """The run as the API shows it, its phase read from Airflow while it is unfinished."""
    airflow_url = None
    if airflow is not None:
        try:
            airflow_url = f"{airflow.ui_url}/dags/{run.dag_id}/runs/{quote(run.run_id, safe='')}"
        except Exception:  # noqa: BLE001 - a link is a nicety; MWAA may not answer
            airflow_url = None
    outcome = progress(session, airflow, run)
    endpoint = run.endpoint or run.conf.get("endpoint")
    return DeploymentPublic(
        action=run.conf.get("action", "deploy"),
        model=run.model_name,
        version=run.version,
        target=run.conf.get("target"),
        endpoint=endpoint,
        dag_id=run.dag_id,
        run_id=run.run_id,
        state=run.state,
        phase=outcome["phase"],
        phase_reason=outcome.get("reason"),
        validation=outcome.get("validation"),
        validation_run_id=outcome.get("validation_run_id"),
        model_uri=outcome.get("model_uri") or f"models:/{run.model_name}/{run.version}",
        previous_model_uri=outcome.get("previous_model_uri"),
        rolled_back=bool(outcome.get("rolled_back")),
        requested_by=run.conf.get("deployed_by"),
        reason=run.conf.get("reason", ""),
        created_at=run.created_at,
        status_url=status_url(run.run_id),
        endpoint_url=f"/api/v1/endpoints/{quote(endpoint, safe='')}" if endpoint else None,
        airflow_url=airflow_url,
    )


def request_deployment(
    session: Session,
    airflow: AirflowClient,
    targets: Targets,
    directory: EndpointDirectory,
    key: ApiKey,
    name: str,
    version: int,
    body: DeployRequest,
) -> CheckRun:
    """Check what can be checked now, claim the endpoint and start the run to follow."""
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
    conf = {
        "model_name": name,
        "version": version,
        "target": body.target,
        "endpoint": endpoint,
        "deployed_by": who(key),
        "reason": body.reason,
        "tenant": key.tenant,
        "action": "deploy",
        # A version never validated is validated by the run itself, not by this request.
        "require_validation": True,
    }
    return start_run(session, airflow, targets, directory, key, conf)


def start_run(
    session: Session,
    airflow: AirflowClient,
    targets: Targets,
    directory: EndpointDirectory,
    key: ApiKey,
    conf: dict[str, Any],
) -> CheckRun:
    """Claim ``conf["endpoint"]`` and trigger the run under the claim's run id; a run that
    cannot be started gives the endpoint back as it was."""
    run_id = f"{conf['action']}__{conf['endpoint']}__{uuid.uuid4().hex[:12]}"
    claimed = claim(
        session,
        airflow,
        name=conf["endpoint"],
        tenant=key.tenant,
        target=conf["target"],
        model_name=conf["model_name"],
        run_id=run_id,
        holder=targets.holder,
    )
    directory.forget(conf["endpoint"])
    try:
        dag_run = _trigger(airflow, conf, run_id)
    except Unavailable:
        undo(session, claimed)
        raise
    run = _record(session, key, conf, claimed, dag_run.state)
    deployment_event(run, "started")
    return run


def _trigger(airflow: AirflowClient, conf: dict[str, Any], run_id: str) -> Any:
    try:
        return airflow.trigger(DEPLOYMENT_DAG, conf, run_id=run_id)
    except AirflowApiError as exc:
        if exc.status == 404:
            raise Unavailable(f"Airflow has no DAG {DEPLOYMENT_DAG!r}; is dags/ deployed?") from exc
        raise Unavailable(f"Airflow refused to start {DEPLOYMENT_DAG}: {exc.detail}") from exc
    except httpx.HTTPError as exc:
        raise Unavailable(f"Airflow cannot be reached to start {DEPLOYMENT_DAG}: {exc}") from exc


def _record(
    session: Session, key: ApiKey, conf: dict[str, Any], claimed: Claim, state: str
) -> CheckRun:
    run = CheckRun(
        kind=KIND,
        model_name=conf["model_name"],
        version=conf["version"],
        tenant=key.tenant,
        dag_id=DEPLOYMENT_DAG,
        run_id=claimed.run_id,
        state=state,
        conf=conf,
        requested_by=key.prefix,
        endpoint=conf["endpoint"],
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
) -> DeploymentPublic:
    """The run's phase; once it has ended, its endpoint is free again."""
    run = session.scalar(select(CheckRun).where(CheckRun.kind == KIND, CheckRun.run_id == run_id))
    if run is None or run.tenant != tenant:
        raise NotFound(f"no deployment run {run_id!r}")
    if airflow is not None and refresh_run_state(session, airflow, run):
        row = session.get(Endpoint, run.endpoint) if run.endpoint else None
        if row is not None:
            release_if_ended(session, airflow, row)
        if sync is not None:
            sync.refresh_model(run.model_name)  # the champion alias has moved
    return public_deployment(session, airflow, run)


def model_history(client: Any, session: Session, tenant: str, name: str) -> list[dict[str, Any]]:
    """Every recorded deployment event of a model the tenant may see, oldest first."""
    from airloom.deploy.registry_target import deployment_history

    get_listing(session, tenant, name)
    return deployment_history(client, name)
