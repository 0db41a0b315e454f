"""The caller tenant's weekly executive reports: list them, download one as HTML or PDF.

The weekly report DAG (``dags/executive_report.py``) writes them into the lake; these routes
only read, and only under the caller's own tenant: another tenant's week is a 404 like a week
that was never reported.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field

from airloom.reports.model import InvalidWeek, check_week, week_bounds
from airloom.reports.store import MEDIA_TYPES, ReportStore
from insights.api.deps import CallerDep, SettingsDep
from insights.api.errors import errors
from insights.errors import InvalidInput, NotFound, Unavailable
from insights.schemas import ErrorBody

router = APIRouter(tags=["reports"], responses=errors(401, 422))

ReportFormat = Literal["html", "pdf"]
# A downloaded report runs nothing and fetches nothing: its charts are inline images.
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


class ReportOut(BaseModel):
    week: str = Field(description="ISO week, e.g. 2026-W48")
    week_start: datetime = Field(description="Its Monday 00:00 UTC")
    week_end: datetime = Field(description="The next Monday 00:00 UTC (excluded)")
    formats: list[ReportFormat]
    updated_at: datetime = Field(description="When the latest of its files was written")
    links: dict[str, str] = Field(description="Download path per format")


class ReportsOut(BaseModel):
    tenant: str
    reports: list[ReportOut] = Field(description="Newest week first")


@lru_cache(maxsize=4)
def _store(lake_uri: str) -> ReportStore:
    return ReportStore(lake_uri)


@router.get("/reports", response_model=ReportsOut, summary="The tenant's weekly reports")
def list_reports(caller: CallerDep, settings: SettingsDep) -> ReportsOut:
    try:
        stored = _store(settings.lake_uri).list_reports(caller.tenant)
    except OSError as exc:
        raise Unavailable(f"the reports in the lake cannot be read: {exc}") from exc
    reports = []
    for report in stored:
        start, end = week_bounds(report.week)
        reports.append(
            ReportOut(
                week=report.week,
                week_start=start,
                week_end=end,
                formats=list(report.formats),
                updated_at=report.updated_at,
                links={f: f"/api/v1/reports/{report.week}.{f}" for f in report.formats},
            )
        )
    return ReportsOut(tenant=caller.tenant, reports=reports)


@router.get(
    "/reports/{week}.{fmt}",
    summary="Download one week's report",
    response_class=Response,
    responses={
        200: {"content": {t.split(";")[0]: {} for t in MEDIA_TYPES.values()}},
        404: {"model": ErrorBody, "description": "The tenant has no report of that week"},
    },
)
def download_report(
    caller: CallerDep,
    settings: SettingsDep,
    week: Annotated[str, Path(description="ISO week, e.g. 2026-W48")],
    fmt: Annotated[ReportFormat, Path(description="html or pdf")],
) -> Response:
    try:
        check_week(week)
    except InvalidWeek as exc:
        raise InvalidInput(f"path.week: {exc}") from None
    try:
        content = _store(settings.lake_uri).read(caller.tenant, week, fmt)
    except OSError as exc:
        raise Unavailable(f"the reports in the lake cannot be read: {exc}") from exc
    if content is None:
        raise NotFound(f"tenant {caller.tenant!r} has no {fmt} report for week {week}")
    filename = f"airloom-{caller.tenant}-{week}.{fmt}"
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Security-Policy": REPORT_CSP,
            "X-Content-Type-Options": "nosniff",
        },
    )
