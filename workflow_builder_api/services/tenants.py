"""What a tenant may use beyond its own area, and how much it may run: grants and quotas.

A platform admin (role ``platform``) grants a tenant an Airflow connection, an ``s3://``
location (with the connection that reads it) or a Kafka topic outside its own, and sets its
quotas. A tenant's people see what they were granted, so the builder can offer it. Every
validation and publication of a tenant's design goes through :func:`scope_for`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from airloom.tenancy import TENANT_PATTERN, Grants, TenantLimits, TenantScope, normalise_s3
from airloom.tenancy.registry import owner_from_tags
from workflow_builder_api.core.config import Settings
from workflow_builder_api.models import Grant, TenantQuota, utcnow
from workflow_builder_api.services.auth import Principal, Role
from workflow_builder_api.services.errors import Conflict, InvalidInput, NotFound
from workflow_builder_api.services.model_signatures import registry_predictions

log = structlog.get_logger()

GRANT_KINDS = ("connection", "s3", "topic")
CONNECTION_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,250}$")  # Airflow's rule for connection ids
TOPIC = re.compile(r"^[A-Za-z0-9._\-]{1,249}$")  # Kafka's rule for topic names
REGISTRY_TIMEOUT_SECONDS = 5.0


def check_tenant(principal: Principal, tenant: str | None) -> str:
    """The tenant asked about: one's own, or (platform admins only) any."""
    if tenant is None or tenant == principal.tenant:
        principal.require(Role.VIEWER)
        return principal.tenant
    principal.require(Role.PLATFORM)
    if not TENANT_PATTERN.fullmatch(tenant):
        raise InvalidInput(f"{tenant!r} is not a tenant name")
    return tenant


def list_grants(session: Session, principal: Principal, tenant: str | None = None) -> list[Grant]:
    tenant = check_tenant(principal, tenant)
    return list(
        session.scalars(
            select(Grant).where(Grant.tenant == tenant).order_by(Grant.kind, Grant.name)
        )
    )


def add_grant(
    session: Session,
    principal: Principal,
    *,
    tenant: str,
    kind: str,
    name: str,
    connection_id: str | None = None,
) -> Grant:
    """Grant ``tenant`` one connection, S3 location or topic (platform admins)."""
    principal.require(Role.PLATFORM)
    tenant = check_tenant(principal, tenant)
    name, connection_id = _checked(kind, name, connection_id)
    grant = Grant(
        tenant=tenant,
        kind=kind,
        name=name,
        connection_id=connection_id,
        granted_by=principal.name,
    )
    try:
        with session.begin_nested():
            session.add(grant)
    except IntegrityError:
        raise Conflict(f"tenant {tenant!r} already has the {kind} grant {name!r}") from None
    log.info("grant added", tenant=tenant, kind=kind, name=name, by=principal.name)
    return grant


def remove_grant(session: Session, principal: Principal, grant_id: int) -> Grant:
    principal.require(Role.PLATFORM)
    grant = session.get(Grant, grant_id)
    if grant is None:
        raise NotFound(f"no grant {grant_id}")
    session.delete(grant)
    session.flush()
    log.info("grant revoked", tenant=grant.tenant, kind=grant.kind, name=grant.name)
    return grant


def _checked(kind: str, name: str, connection_id: str | None) -> tuple[str, str | None]:
    if kind not in GRANT_KINDS:
        raise InvalidInput(f"grant kind {kind!r} is not one of {', '.join(GRANT_KINDS)}")
    if kind == "s3":
        location = normalise_s3(name)
        if location is None or location.count("/") < 2:
            raise InvalidInput(
                f"{name!r} is not an S3 location: give s3://bucket/prefix/ (no '.' or '..')"
            )
        if connection_id is None or not CONNECTION_ID.fullmatch(connection_id):
            raise InvalidInput("an S3 grant names the Airflow connection that reads it")
        return f"{location}/", connection_id
    if connection_id is not None:
        raise InvalidInput(f"only an s3 grant has a connection; a {kind} grant is its name")
    pattern = CONNECTION_ID if kind == "connection" else TOPIC
    if not pattern.fullmatch(name):
        raise InvalidInput(f"{name!r} is not a valid {kind} name")
    return name, None


def grants_of(session: Session, tenant: str) -> Grants:
    rows = session.scalars(select(Grant).where(Grant.tenant == tenant)).all()
    return Grants(
        connections=frozenset(row.name for row in rows if row.kind == "connection"),
        s3_locations={row.name: row.connection_id or "" for row in rows if row.kind == "s3"},
        topics=frozenset(row.name for row in rows if row.kind == "topic"),
    )


# -- quotas ------------------------------------------------------------------------------------


def limits_of(session: Session, tenant: str, settings: Settings) -> TenantLimits:
    row = session.get(TenantQuota, tenant)
    if row is None:
        return TenantLimits(
            min_schedule_minutes=settings.default_min_schedule_minutes,
            max_active_runs=settings.default_max_active_runs,
            max_published_workflows=settings.default_max_published_workflows,
        )
    return TenantLimits(
        min_schedule_minutes=row.min_schedule_minutes,
        max_active_runs=row.max_active_runs,
        max_published_workflows=row.max_published_workflows,
    )


def set_limits(
    session: Session, principal: Principal, tenant: str, limits: TenantLimits
) -> TenantLimits:
    """Set ``tenant``'s quotas (platform admins); they apply to its next publications."""
    principal.require(Role.PLATFORM)
    tenant = check_tenant(principal, tenant)
    if limits.min_schedule_minutes < 0 or limits.max_published_workflows < 0:
        raise InvalidInput("quotas cannot be negative")
    if not 1 <= limits.max_active_runs <= 100:
        raise InvalidInput("maxActiveRuns must be between 1 and 100")
    row = session.get(TenantQuota, tenant) or TenantQuota(tenant=tenant)
    row.min_schedule_minutes = limits.min_schedule_minutes
    row.max_active_runs = limits.max_active_runs
    row.max_published_workflows = limits.max_published_workflows
    row.updated_by, row.updated_at = principal.name, utcnow()
    session.add(row)
    session.flush()
    return limits


# -- the scope a design is checked and compiled in -----------------------------------------------


def scope_for(session: Session, tenant: str, settings: Settings) -> TenantScope:
    """``tenant``'s scope now: its grants, its quotas, who owns each model name and what
    each registered version predicts."""
    return TenantScope(
        tenant,
        grants_of(session, tenant),
        limits_of(session, tenant, settings),
        model_owner=registry_owners(settings.mlflow_tracking_uri),
        model_predictions=registry_predictions(settings.mlflow_tracking_uri),
    )


def registry_owners(tracking_uri: str | None) -> Callable[[str], str | None] | None:
    """Who owns a registered model, asked of MLflow's REST API with a short timeout.

    Validation must answer quickly even when MLflow is slow or away: then the answer is
    "unknown" and the workflow's task checks ownership itself before touching the model.
    """
    if not tracking_uri:
        return None

    @cache
    def owner(name: str) -> str | None:
        try:
            response = httpx.get(
                f"{tracking_uri.rstrip('/')}/api/2.0/mlflow/registered-models/get",
                params={"name": name},
                timeout=REGISTRY_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as exc:
            log.warning("model registry unreachable during validation", error=str(exc))
            return None
        if response.status_code != 200:
            return None  # no such model (404), or the registry could not say
        model: dict[str, Any] = response.json().get("registered_model", {})
        return owner_from_tags({tag["key"]: tag["value"] for tag in model.get("tags", [])})

    return owner
