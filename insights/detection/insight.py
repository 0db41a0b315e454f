"""What a detector finds: an :class:`Insight`, one plain sentence with its numbers.

Each insight carries its evidence: the figures behind the sentence and a query in the
questions service's :class:`~insights.questions.query.Query` shape (metrics, filters, time
range), so the dashboard can link an insight to the chart that shows it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from insights.detection import thresholds as t

Kind = Literal[
    "cost_jump",
    "duration_jump",
    "failure_spike",
    "latency_regression",
    "model_metric_change",
    "idle_endpoint",
    "rate_limit_pressure",
]
KINDS: tuple[Kind, ...] = (
    "cost_jump",
    "duration_jump",
    "failure_spike",
    "latency_regression",
    "model_metric_change",
    "idle_endpoint",
    "rate_limit_pressure",
)
SubjectKind = Literal["workflow", "endpoint", "model", "tier"]
SUBJECT_KINDS: tuple[SubjectKind, ...] = ("workflow", "endpoint", "model", "tier")
# Written as escapes: the sentences use the typographic signs, the source stays ASCII.
TIMES = "\N{MULTIPLICATION SIGN}"
EN_DASH = "\N{EN DASH}"


@dataclass(frozen=True)
class Insight:
    """One finding about one subject in one period.

    :param kind: what changed (one of :data:`KINDS`).
    :param subject_kind: what the subject is: workflow, endpoint, model or tier.
    :param subject: its name within the tenant.
    :param sentence: the finding in one plain sentence.
    :param score: 0..1, how much it deserves attention; insights are ranked by it.
    :param impact_usd: the dollars at stake, where the finding has a price.
    :param period_start: start of the period the finding is about (UTC).
    :param period_end: its end, excluded.
    :param evidence: the figures, the view and filters, and a questions ``query``.
    """

    kind: Kind
    subject_kind: SubjectKind
    subject: str
    sentence: str
    score: float
    period_start: datetime
    period_end: datetime
    impact_usd: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def robust_z(value: float, median: float, mad: float | None) -> float:
    """How many robust standard deviations ``value`` lies above ``median``.

    The spread is ``MAD * 1.4826``, never less than a share of the median
    (:data:`~insights.detection.thresholds.MIN_RELATIVE_SPREAD`).
    """
    spread = max((mad or 0.0) * t.MAD_TO_SIGMA, abs(median) * t.MIN_RELATIVE_SPREAD, 1e-9)
    return (value - median) / spread


def score(surprise: float, impact_usd: float | None = None) -> float:
    """A 0..1 ranking score from how surprising a finding is and, if priced, its dollars."""
    surprise_part = math.tanh(max(surprise, 0.0) / t.SCORE_SURPRISE)
    if impact_usd is None:
        return round(surprise_part, 4)
    dollars_part = math.tanh(max(impact_usd, 0.0) / t.SCORE_DOLLARS)
    return round(0.5 * surprise_part + 0.5 * dollars_part, 4)


def money(amount: float) -> str:
    return f"${amount:,.2f}"


def day(moment: datetime) -> str:
    """'24 Nov': insights are about recent weeks, so the year goes without saying."""
    return f"{moment.day} {moment:%b}"


def span(start: datetime, end: datetime) -> str:
    """'24-30 Nov' (with an en dash) for a period whose end is excluded."""
    last = end - timedelta(seconds=1)
    if start.month == last.month:
        return f"{start.day}{EN_DASH}{last.day} {last:%b}"
    return f"{day(start)}{EN_DASH}{day(last)}"


def seconds(value: float) -> str:
    if value >= 3600:
        return f"{value / 3600:.1f} h"
    if value >= 120:
        return f"{value / 60:.1f} min"
    return f"{value:.0f} s"


def evidence_query(
    metric: str,
    dimension: str,
    subject: str,
    start: datetime,
    end: datetime,
    grain: str | None = None,
) -> dict[str, Any]:
    """A questions-service query (docs/insights.md, "The query") that charts the evidence."""
    return {
        "metrics": [metric],
        "group_by": [],
        "grain": grain,
        "time_range": {"start": _iso(start), "end": _iso(end)},
        "filters": [{"dimension": dimension, "values": [subject]}],
    }


def _iso(moment: datetime) -> str:
    # The questions service reads naive times as UTC.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat()


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a time without a zone is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def last_complete_week(now: datetime) -> tuple[datetime, datetime]:
    """The ISO week (Monday to Monday, UTC) before the one ``now`` is in."""
    now = utc(now)
    this_monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return this_monday - timedelta(weeks=1), this_monday
