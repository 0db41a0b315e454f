"""Endpoints as a tenant sees them: read, call, delete, roll back, and their history.

An endpoint belongs to the tenant whose model its latest deployment run served; any other
tenant gets 404, exactly as for a missing one. Its live state comes from its target (the
serving process or SageMaker), its history from the model registry's deployment records.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import structlog
from sqlalchemy.orm import Session

from airloom.deploy import DeploymentError, DeploymentNotFound, DeploymentTarget, get_target
from airloom.deploy.ownership import endpoint_owner
from marketplace.checks import ACTIVE_STATES, refresh_run_state
from marketplace.deployments import (
    deployment_runs,
    public_deployment,
    runs_for_endpoint,
    start_run,
    who,
)
from marketplace.errors import Conflict, NotFound, Unavailable
from marketplace.models import ApiKey, CheckRun
from servicekit.airflow_client import AirflowClient

# How MLflow's error codes and the serving process's statuses read in the marketplace's body.
_CODES = {400: "bad_request", 404: "not_found", 413: "payload_too_large", 415: "bad_request",
          422: "invalid_input", 503: "unavailable"}  # fmt: skip
# A target's error message is repeated up to this length: it may quote the request.
MAX_TARGET_MESSAGE = 1000
log = structlog.get_logger()


class Targets:
    """The deployment targets the marketplace talks to, built once each."""

    def __init__(self, tracking_uri: str) -> None:
        self.tracking_uri = tracking_uri
        self._built: dict[str, DeploymentTarget] = {}

    def get(self, name: str) -> DeploymentTarget:
        if name not in self._built:
            try:
                self._built[name] = get_target(name, tracking_uri=self.tracking_uri)
            except Exception as exc:
                raise Unavailable(f"deployment target {name!r} is not available: {exc}") from exc
        return self._built[name]

    def holder(self, endpoint: str, target: str) -> str | None:
        """The tenant holding ``endpoint`` at ``target`` (None: free), as the target records it.

        :raises Unavailable: the target cannot say, so the name is not given away.
        """
        try:
            return endpoint_owner(self.get(target).get_deployment(endpoint))
        except DeploymentNotFound:
            return None
        except DeploymentError as exc:
            raise Unavailable(
                f"the {target} target cannot say whether endpoint {endpoint!r} is free: {exc}"
            ) from exc


def owned_run(session: Session, tenant: str, endpoint: str) -> CheckRun:
    """The endpoint's latest deployment run, if it belongs to ``tenant``; 404 otherwise."""
    runs = runs_for_endpoint(session, endpoint)
    if not runs or runs[0].tenant != tenant:
        raise NotFound(f"endpoint {endpoint!r} not found")
    return runs[0]


def live_state(targets: Targets, target_name: str, endpoint: str) -> dict[str, Any]:
    """What the target says of ``endpoint``: DeploymentNotFound, or Unavailable when the target
    cannot be asked (unreachable, no credentials, any failure of its own)."""
    try:
        return targets.get(target_name).get_deployment(endpoint)
    except (DeploymentNotFound, Unavailable):
        raise
    except DeploymentError as exc:
        raise Unavailable(f"the {target_name} target cannot be asked about it: {exc}") from exc
    except Exception as exc:  # a target breaking its contract must not take the API down
        log.exception("deployment target failed", target=target_name, endpoint=endpoint)
        raise Unavailable(
            f"the {target_name} target cannot be asked about it: {type(exc).__name__}: {exc}"
        ) from exc


def describe(
    session: Session,
    airflow: AirflowClient | None,
    targets: Targets,
    run: CheckRun,
) -> dict[str, Any]:
    """The endpoint's live state at its target, with its latest deployment run."""
    endpoint, target_name = run.conf["endpoint"], run.conf.get("target", "local")
    if airflow is not None:
        refresh_run_state(session, airflow, run)
    try:
        live = live_state(targets, target_name, endpoint)
    except DeploymentNotFound:
        if run.state not in ACTIVE_STATES:
            raise NotFound(f"endpoint {endpoint!r} not found (deleted or never came up)") from None
        live = {"status": "deploying", "model_uri": None}
    model_uri = live.get("model_uri") or ""
    number = model_uri.rsplit("/", 1)[-1]
    version = int(number) if model_uri.startswith("models:/") and number.isdigit() else None
    return {
        **_identity(run, airflow),
        "version": version,
        "status": live.get("status"),
        "updated_at": live.get("updated_at"),
    }


def _identity(run: CheckRun, airflow: AirflowClient | None) -> dict[str, Any]:
    endpoint = run.conf["endpoint"]
    return {
        "name": endpoint,
        "target": run.conf.get("target", "local"),
        "model": run.model_name,
        "invocations_url": f"/api/v1/endpoints/{quote(endpoint, safe='')}/invocations",
        "latest_deployment": public_deployment(run, airflow),
    }


def list_endpoints(
    session: Session, airflow: AirflowClient | None, targets: Targets, tenant: str
) -> list[dict[str, Any]]:
    """The tenant's endpoints; one whose target cannot be asked is listed as unavailable."""
    seen: set[str] = set()
    found = []
    for run in deployment_runs(session, tenant):
        name = run.conf.get("endpoint")
        if not name or name in seen:
            continue
        seen.add(name)
        try:
            owned = owned_run(session, tenant, name)
            found.append(describe(session, airflow, targets, owned))
        except NotFound:
            continue  # deleted, or now another tenant's
        except Unavailable as exc:
            found.append(
                {
                    **_identity(owned, airflow),
                    "version": None,
                    "status": "unavailable",
                    "reason": exc.message,
                    "updated_at": None,
                }
            )
    return sorted(found, key=lambda item: item["name"])


def delete_endpoint(session: Session, targets: Targets, tenant: str, endpoint: str) -> None:
    run = owned_run(session, tenant, endpoint)
    target_name = run.conf.get("target", "local")
    try:
        live_state(targets, target_name, endpoint)
    except DeploymentNotFound:
        raise NotFound(f"endpoint {endpoint!r} not found (already deleted)") from None
    try:
        targets.get(target_name).delete_deployment(endpoint)
    except Exception as exc:  # whatever the target raises, the caller learns why
        raise Unavailable(f"could not delete endpoint {endpoint!r}: {exc}") from exc


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


def endpoint_history(client: Any, session: Session, tenant: str, endpoint: str) -> dict[str, Any]:
    """Who deployed what to the endpoint, when, from which version to which and why."""
    from airloom.deploy.registry_target import deployment_history

    run = owned_run(session, tenant, endpoint)
    runs = [r for r in runs_for_endpoint(session, endpoint) if r.tenant == tenant]
    events = [
        event
        for event in deployment_history(client, run.model_name)
        if event.get("endpoint") == endpoint
    ]
    return {
        "endpoint": endpoint,
        "model": run.model_name,
        "events": _as_endpoint_moves(events),
        "runs": [public_deployment(r) for r in runs],
    }


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
    client: Any,
    key: ApiKey,
    endpoint: str,
    reason: str,
) -> CheckRun:
    """Deploy the version the endpoint served before its current one, in one call."""
    current = describe(session, airflow, targets, owned_run(session, key.tenant, endpoint))
    latest = current["latest_deployment"]
    if latest["state"] in ACTIVE_STATES:
        raise Conflict(
            f"a deployment to endpoint {endpoint!r} is still {latest['state']}; "
            f"follow it at {latest['status_url']}"
        )
    events = endpoint_history(client, session, key.tenant, endpoint)["events"]
    promotions = [e for e in events if e.get("action") == "promote"]
    previous = _previous_version(promotions, current["version"])
    if previous is None:
        raise Conflict(f"endpoint {endpoint!r} has no earlier version to roll back to")
    conf = {
        "model_name": current["model"],
        "version": previous,
        "target": current["target"],
        "endpoint": endpoint,
        "deployed_by": who(key),
        "reason": f"rollback from version {current['version']} to {previous}"
        + (f": {reason}" if reason else ""),
        "tenant": key.tenant,
        "action": "rollback",
        "require_validation": False,
    }
    return start_run(session, airflow, key, conf)


def _previous_version(promotions: list[dict[str, Any]], current: int | None) -> int | None:
    """The version served before the promotion that put ``current`` in place."""
    for index in range(len(promotions) - 1, -1, -1):
        if str(promotions[index]["version"]) == str(current):
            if index > 0:
                return int(promotions[index - 1]["version"])
            earlier = promotions[index].get("from_version")
            return int(earlier) if earlier else None
    return None
