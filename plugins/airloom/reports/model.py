"""What an executive report holds, independent of how it is rendered.

Weeks are ISO weeks (``2026-W48``: Monday 00:00 UTC to the next Monday, excluded), the grain the
insights service's ROI uses too.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from airloom.tenancy import TENANT_PATTERN

WEEK_PATTERN = re.compile(r"^(?P<year>\d{4})-W(?P<week>\d{2})$")


class InvalidWeek(ValueError):
    """A week that is not an ISO week such as ``2026-W48``."""


def week_monday(week: str) -> date:
    """The Monday of ``week`` (``2026-W48``); :class:`InvalidWeek` if it is no ISO week."""
    match = WEEK_PATTERN.fullmatch(week)
    if match:
        try:
            return date.fromisocalendar(int(match["year"]), int(match["week"]), 1)
        except ValueError:  # week 53 of a year with 52
            pass
    raise InvalidWeek(f"week {week!r} is not an ISO week such as '2026-W48'")


def check_week(week: str) -> str:
    """``week`` if it names a real ISO week; :class:`InvalidWeek` otherwise."""
    week_monday(week)
    return week


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """``[Monday 00:00, next Monday 00:00)`` of ``week``, in UTC."""
    monday = week_monday(week)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return start, start + timedelta(weeks=1)


def report_week(moment: datetime) -> str:
    """The last ISO week that ended by ``moment``: a Monday 06:00 run reports the week before."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return week_of(moment.date() - timedelta(days=moment.isoweekday()))


class ReportKpis(BaseModel):
    """The tenant's totals for the week (runs and serving together)."""

    model_config = ConfigDict(frozen=True)

    runs: int = Field(ge=0)
    failures: int = Field(ge=0)
    predictions: int = Field(ge=0)
    cost_usd: float = Field(ge=0)
    value_usd: float = Field(ge=0)

    @property
    def failure_rate(self) -> float | None:
        return self.failures / self.runs if self.runs else None

    @property
    def roi(self) -> float | None:
        """(value - cost) / cost; None when nothing cost anything."""
        return (self.value_usd - self.cost_usd) / self.cost_usd if self.cost_usd else None


class WorkflowRoi(ReportKpis):
    """One workflow's (or built-in DAG's) figures for the week."""

    workflow: str = Field(min_length=1, max_length=255)


class DailyPoint(BaseModel):
    """One day of the week, for the cost-and-value chart."""

    model_config = ConfigDict(frozen=True)

    day: date
    cost_usd: float = Field(ge=0)
    value_usd: float = Field(ge=0)
    runs: int = Field(default=0, ge=0)


class ExecutiveReport(BaseModel):
    """A tenant's week: what the renderers draw, and nothing they would have to compute."""

    model_config = ConfigDict(frozen=True)

    tenant: str = Field(pattern=TENANT_PATTERN.pattern)
    week: str
    generated_at: datetime
    rates_environment: str = "local"
    kpis: ReportKpis
    previous_kpis: ReportKpis | None = Field(
        default=None, description="The week before, for the change figures"
    )
    roi_by_workflow: list[WorkflowRoi] = Field(default_factory=list)
    insights: list[str] = Field(
        default_factory=list, description="The top insights, one sentence each, most impact first"
    )
    daily: list[DailyPoint] = Field(default_factory=list)

    @field_validator("week")
    @classmethod
    def _iso_week(cls, week: str) -> str:
        return check_week(week)

    @property
    def period(self) -> tuple[datetime, datetime]:
        return week_bounds(self.week)

    @property
    def title(self) -> str:
        start, end = self.period
        last_day = (end - timedelta(days=1)).date()
        return f"Week {self.week} ({start.date():%d %b} to {last_day:%d %b %Y})"
