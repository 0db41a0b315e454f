"""Automated insights of the caller's tenant: the ranked list, and a refresh that runs the
detectors now (docs/insights.md, "Automated insights").

Anyone of the tenant reads its insights. A refresh needs the editor role; the platform role
(the hourly ``insights_refresh`` DAG's token) may refresh any tenant and list the tenants that
have activity.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from airloom.tenancy import TENANT_PATTERN
from insights import values
from insights.api.deps import CallerDep, ReadModelDep, SessionDep, SettingsDep
from insights.api.errors import errors
from insights.detection import refresh as detection
from insights.detection.insight import Kind, SubjectKind
from insights.errors import Unavailable

router = APIRouter(prefix="/insights", tags=["insights"], responses=errors(401, 422))


class InsightOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: Kind
    subject_kind: SubjectKind
    subject: str
    sentence: str = Field(description="The finding in one plain sentence")
    score: float = Field(description="0..1: how much it deserves attention (the ranking)")
    impact_usd: float | None = Field(description="Dollars at stake, where the finding has a price")
    period_start: datetime
    period_end: datetime
    evidence: dict[str, Any] = Field(
        description="The figures, the view and filters, and a questions `query` charting them"
    )
    refreshed_at: datetime


class InsightsOut(BaseModel):
    tenant: str
    insights: list[InsightOut] = Field(description="The highest score first")


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant: str | None = Field(
        default=None, description="Whose insights (default: the caller's; others: platform role)"
    )
    as_of: datetime | None = Field(
        default=None, description="Detect as of this time (default: now); UTC without a zone"
    )

    @field_validator("tenant")
    @classmethod
    def _tenant_name(cls, value: str | None) -> str | None:
        if value is not None and not TENANT_PATTERN.fullmatch(value):
            raise ValueError(f"{value[:40]!r} is not a tenant name")
        return value

    @field_validator("as_of")
    @classmethod
    def _past(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if value > datetime.now(UTC):
            raise ValueError("as_of is in the future: insights are about what has happened")
        return value


class TenantsOut(BaseModel):
    tenants: list[str] = Field(description="Tenants with activity in the lake")


@router.get("", response_model=InsightsOut, summary="The tenant's insights, ranked by impact")
def list_insights(
    caller: CallerDep,
    session: SessionDep,
    kind: Annotated[Kind | None, Query(description="Only this kind")] = None,
    subject_kind: Annotated[SubjectKind | None, Query(description="Only this subject kind")] = None,
    subject: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> InsightsOut:
    rows = detection.stored(
        session, caller.tenant, kind=kind, subject_kind=subject_kind, subject=subject, limit=limit
    )
    return InsightsOut(tenant=caller.tenant, insights=[InsightOut.model_validate(r) for r in rows])


@router.post(
    "/refresh",
    response_model=InsightsOut,
    summary="Run the detectors for a tenant now and keep what they find",
    responses=errors(403, 503),
)
def refresh_insights(
    caller: CallerDep,
    session: SessionDep,
    read_model: ReadModelDep,
    body: RefreshIn | None = None,
) -> InsightsOut:
    body = body or RefreshIn()
    tenant = body.tenant or caller.tenant
    if tenant != caller.tenant:
        caller.require("platform", "refreshing another tenant's insights")
    caller.require("editor", "refreshing insights")
    try:
        rows = detection.refresh(
            session,
            read_model,
            tenant,
            values.tenant_values(session, tenant),
            now=body.as_of,
            model_metrics=detection.registry_metrics(),
        )
    except OSError as exc:
        raise Unavailable(f"the activity in the lake cannot be read: {exc}") from exc
    return InsightsOut(tenant=tenant, insights=[InsightOut.model_validate(r) for r in rows])


@router.get(
    "/tenants",
    response_model=TenantsOut,
    summary="Tenants with activity (platform role): whose insights the hourly DAG refreshes",
    responses=errors(403, 503),
)
def tenants(caller: CallerDep, settings: SettingsDep) -> TenantsOut:
    caller.require("platform", "listing tenants")
    try:
        return TenantsOut(tenants=detection.activity_tenants(settings.activity_uri))
    except OSError as exc:
        raise Unavailable(f"the activity in the lake cannot be read: {exc}") from exc
