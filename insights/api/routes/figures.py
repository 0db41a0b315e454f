"""KPIs and ROI of the caller's tenant, from the activity read model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from insights import values
from insights.api.deps import CallerDep, ReadModelDep, SessionDep, SettingsDep
from insights.api.errors import errors
from insights.errors import InvalidInput
from insights.readmodel import figures
from insights.readmodel.figures import Dimension, Figures, Grain
from insights.schemas import FiguresOut, KpisOut, RoiOut, RoiRowOut

router = APIRouter(tags=["figures"], responses=errors(401, 422))

# How far back a period reaches when ``since`` is not given.
DEFAULT_SPAN = {"day": timedelta(days=30), "week": timedelta(weeks=12), "month": timedelta(366)}
Since = Annotated[
    datetime | None,
    Query(description="Start (ISO 8601 date or time; UTC unless it says otherwise)"),
]
Until = Annotated[datetime | None, Query(description="End, excluded (default: now)")]


def period(
    since: datetime | None, until: datetime | None, span: timedelta
) -> tuple[datetime, datetime]:
    """``[since, until)`` in UTC; a time without a zone is taken as UTC."""
    until = _utc(until) if until is not None else datetime.now(UTC)
    since = _utc(since) if since is not None else until - span
    if since >= until:
        raise InvalidInput(
            f"since ({since.isoformat()}) must be before until ({until.isoformat()})"
        )
    return since, until


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _out(figures_: Figures) -> dict:
    return {
        "runs": figures_.runs,
        "failures": figures_.failures,
        "predictions": figures_.predictions,
        "cost_usd": figures_.cost_usd,
        "value_usd": figures_.value_usd,
        "roi": figures_.roi,
    }


@router.get("/kpis", response_model=KpisOut, summary="Runs, failures, cost, value, ROI and more")
def kpis(
    caller: CallerDep,
    session: SessionDep,
    read_model: ReadModelDep,
    settings: SettingsDep,
    since: Since = None,
    until: Until = None,
) -> KpisOut:
    start, end = period(since, until, DEFAULT_SPAN["day"])
    with read_model.connect(caller.tenant, values.tenant_values(session, caller.tenant)) as db:
        totals = figures.kpis(db, start, end)
    return KpisOut(
        since=start, until=end, rates_environment=settings.rates_environment, **_out(totals)
    )


@router.get("/roi", response_model=RoiOut, summary="ROI per workflow, model, endpoint or tenant")
def roi(
    caller: CallerDep,
    session: SessionDep,
    read_model: ReadModelDep,
    settings: SettingsDep,
    by: Annotated[Dimension, Query(description="What each row is")] = "workflow",
    grain: Annotated[Grain, Query(description="The period each row covers")] = "day",
    since: Since = None,
    until: Until = None,
) -> RoiOut:
    start, end = period(since, until, DEFAULT_SPAN[grain])
    with read_model.connect(caller.tenant, values.tenant_values(session, caller.tenant)) as db:
        rows = figures.roi(db, by, grain, start, end)
    total = Figures(
        runs=sum(r.figures.runs for r in rows),
        failures=sum(r.figures.failures for r in rows),
        predictions=sum(r.figures.predictions for r in rows),
        cost_usd=sum(r.figures.cost_usd for r in rows),
        value_usd=sum(r.figures.value_usd for r in rows),
    )
    return RoiOut(
        by=by,
        grain=grain,
        since=start,
        until=end,
        rates_environment=settings.rates_environment,
        rows=[RoiRowOut(key=r.key, period_start=r.period_start, **_out(r.figures)) for r in rows],
        totals=FiguresOut(**_out(total)),
    )
