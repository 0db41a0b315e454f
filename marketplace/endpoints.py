"""Endpoints as a tenant sees them: read, call, delete, roll back, and their history.

An endpoint belongs to the tenant its row in the ``endpoints`` table names; any other tenant
gets 404, exactly as for a missing one. Its live state comes from its target (the serving
process or SageMaker), its history from the model registry's deployment records.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from airloom.deploy import DeploymentNotFound
from marketplace.deployment_schemas import (
    EndpointEvent,
    EndpointHistory,
    EndpointPublic,
)
from marketplace.deployments import (
    KIND,
    endpoint_runs,
    public_deployment,
    start_run,
    who,
)
from marketplace.endpoint_claims import busy_conflict, forget, owned_endpoint, release_if_ended
from marketplace.endpoint_directory import EndpointDirectory
from marketplace.errors import Conflict, NotFound, Unavailable
from marketplace.models import ApiKey, CheckRun, Endpoint
from marketplace.targets import Targets
from servicekit.airflow_client import AirflowClient

# How MLflow's error codes and the serving process's statuses read in the marketplace's body.
_CODES = {400: "bad_request", 404: "not_found", 413: "payload_too_large", 415: "bad_request",
          422: "invalid_input", 503: "unavailable"}  # fmt: skip
# A target's error message is repeated up to this length: it may quote the request.
MAX_TARGET_MESSAGE = 1000


def latest_run(session: Session, row: Endpoint) -> CheckRun:
    run = session.scalar(
        select(CheckRun).where(CheckRun.run_id == row.run_id, CheckRun.kind == KIND)
    )
    if run is None:  # claimed a moment ago, its run not recorded yet
        raise NotFound(f"endpoint {row.name!r} not found (its first deployment is starting)")
    return run


def describe(
    session: Session, airflow: AirflowClient | None, targets: Targets, row: Endpoint
) -> EndpointPublic:
    """The endpoint's live state at its target, with its latest deployment run."""
    release_if_ended(session, airflow, row)
    run = latest_run(session, row)
    try:
        live = targets.live_state(row.target, row.name)
    except DeploymentNotFound:
        if not row.busy:
            raise NotFound(f"endpoint {row.name!r} not found (deleted or never came up)") from None
        live = {"status": "deploying", "model_uri": None}
    model_uri = live.get("model_uri") or ""
    number = model_uri.rsplit("/", 1)[-1]
    version = int(number) if model_uri.startswith("models:/") and number.isdigit() else None
    return EndpointPublic(
        **_identity(session, airflow, row, run),
        version=version,
        status=live.get("status") or "unknown",
        updated_at=live.get("updated_at"),
    )


def _identity(
    session: Session, airflow: AirflowClient | None, row: Endpoint, run: CheckRun
) -> dict[str, Any]:
    return {
        "name": row.name,
        "target": row.target,
        "model": row.model_name,
        "invocations_url": f"/api/v1/endpoints/{quote(row.name, safe='')}/invocations",
        "latest_deployment": public_deployment(session, airflow, run),
    }


def list_endpoints(
    session: Session, airflow: AirflowClient | None, targets: Targets, tenant: str
) -> list[EndpointPublic]:
    """The tenant's endpoints; one whose target cannot be asked is listed as unavailable."""
    rows = session.scalars(
        select(Endpoint).where(Endpoint.tenant == tenant).order_by(Endpoint.name)
    )
    found = []
    for row in rows:
        try:
            found.append(describe(session, airflow, targets, row))
        except NotFound:
            continue  # deleted, never came up, or just starting
        except Unavailable as exc:
            found.append(
                EndpointPublic(
                    **_identity(session, airflow, row, latest_run(session, row)),
                    version=None,
                    status="unavailable",
                    reason=exc.message,
                    updated_at=None,
                )
            )
    return found


def delete_endpoint(
    session: Session,
    airflow: AirflowClient | None,
    targets: Targets,
    directory: EndpointDirectory,
    tenant: str,
    name: str,
) -> None:
    row = owned_endpoint(session, tenant, name)
    if not release_if_ended(session, airflow, row):
        raise busy_conflict(name, row.run_id)  # its run would serve it again
    try:
        targets.live_state(row.target, name)
    except DeploymentNotFound:
        raise NotFound(f"endpoint {name!r} not found (already deleted)") from None
    try:
        targets.get(row.target).delete_deployment(name)
    except Exception as exc:  # whatever the target raises, the caller learns why
        raise Unavailable(f"could not delete endpoint {name!r}: {exc}") from exc
    forget(session, name, tenant)
    directory.forget(name)


def error_body(status: int, body: bytes) -> dict[str, Any]:
    """A target's error answer in the marketplace's shape, keeping (the start of) its message."""
    try:
        decoded = json.loads(body)
        message = decoded.get("message") or decoded.get("detail") or decoded
    except (ValueError, AttributeError, RecursionError):
        message = body.decode(errors="replace")
    if not isinstance(message, str):
        message = json.dumps(message)
    if len(message) > MAX_TARGET_MESSAGE:
        message = f"{message[:MAX_TARGET_MESSAGE]}… ({len(message):,} characters in all)"
    return {"detail": message, "code": _CODES.get(status, "error")}


def endpoint_history(
    client: Any, session: Session, airflow: AirflowClient | None, tenant: str, name: str
) -> EndpointHistory:
    """Who deployed what to the endpoint, when, from which version to which and why."""
    row = owned_endpoint(session, tenant, name)
    return EndpointHistory(
        endpoint=name,
        model=row.model_name,
        events=[EndpointEvent.model_validate(move) for move in _endpoint_moves(client, row)],
        runs=[public_deployment(session, airflow, r) for r in endpoint_runs(session, name, tenant)],
    )


def _endpoint_moves(client: Any, row: Endpoint) -> list[dict[str, Any]]:
    from airloom.deploy.registry_target import deployment_history

    events = deployment_history(client, row.model_name)
    return _as_endpoint_moves([event for event in events if event.get("endpoint") == row.name])


def _as_endpoint_moves(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Re-read the model's champion moves as this endpoint's: ``from_version`` becomes what the
    endpoint served before (a DAG may have moved the champion in between), and the champion
    before the move is kept as ``previous_champion``."""
    served: str | None = None
    moves = []
    for event in events:
        move = {**event, "previous_champion": event.get("from_version")}
        if event.get("action") == "promote":
            move["from_version"], served = served, str(event["version"])
        moves.append(move)
    return moves


def request_rollback(
    session: Session,
    airflow: AirflowClient,
    targets: Targets,
    directory: EndpointDirectory,
    client: Any,
    key: ApiKey,
    name: str,
    reason: str,
) -> CheckRun:
    """Deploy the version the endpoint served before its current one, in one call."""
    row = owned_endpoint(session, key.tenant, name)
    if not release_if_ended(session, airflow, row):
        raise busy_conflict(name, row.run_id)
    current = describe(session, airflow, targets, row)
    promotions = [e for e in _endpoint_moves(client, row) if e.get("action") == "promote"]
    previous = _previous_version(promotions, current.version)
    if previous is None:
        raise Conflict(f"endpoint {name!r} has no earlier version to roll back to")
    conf = {
        "model_name": current.model,
        "version": previous,
        "target": current.target,
        "endpoint": name,
        "deployed_by": who(key),
        "reason": f"rollback from version {current.version} to {previous}"
        + (f": {reason}" if reason else ""),
        "tenant": key.tenant,
        "action": "rollback",
        "require_validation": False,
    }
    return start_run(session, airflow, targets, directory, key, conf)


def _previous_version(promotions: list[dict[str, Any]], current: int | None) -> int | None:
    """The version served before the promotion that put ``current`` in place."""
    for index in range(len(promotions) - 1, -1, -1):
        if str(promotions[index]["version"]) == str(current):
            if index > 0:
                return int(promotions[index - 1]["version"])
            earlier = promotions[index].get("from_version")
            return int(earlier) if earlier else None
    return None
