"""Week-over-week findings per workflow: cost jumps, duration jumps and failure-rate spikes.

DuckDB aggregates each workflow's finished runs per week (the analysed week and up to
:data:`~insights.detection.thresholds.BASELINE_WEEKS` before it) and the median and MAD of
the weeks before; Python only compares the figures with the thresholds. A built-in DAG has
no workflow name: the contract names it by its DAG id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from insights.detection import thresholds as t
from insights.detection.insight import (
    TIMES,
    Insight,
    evidence_query,
    last_complete_week,
    money,
    robust_z,
    score,
    seconds,
    span,
)

if TYPE_CHECKING:
    import duckdb

WEEK_SECONDS = 7 * 24 * 3600

# $first is the first baseline week's Monday; week numbers count from it, the analysed week
# being $analysed. Weekly failure rates and the baseline's medians are computed here, once.
_WEEKLY_RUNS = """
WITH weekly AS (
    SELECT coalesce(workflow, dag_id) AS subject,
           CAST(floor((epoch(ended_at) - epoch($first)) / $week_seconds) AS INTEGER) AS week,
           count(*) AS runs,
           count(*) FILTER (WHERE state = 'failed') AS failures,
           coalesce(sum(cost_usd), 0) AS cost,
           median(duration_s) AS duration,
           bool_and(workflow IS NULL) AS built_in
    FROM runs
    WHERE tenant = $tenant AND ended_at >= $first AND ended_at < $end
    GROUP BY ALL
), baseline AS (
    SELECT subject,
           count(*) FILTER (WHERE runs >= $min_runs) AS weeks,
           median(cost) FILTER (WHERE runs >= $min_runs) AS cost_median,
           mad(cost) FILTER (WHERE runs >= $min_runs) AS cost_mad,
           median(duration) FILTER (WHERE runs >= $min_runs) AS duration_median,
           mad(duration) FILTER (WHERE runs >= $min_runs) AS duration_mad,
           median(failures / runs) FILTER (WHERE runs >= $min_runs) AS failure_rate_median
    FROM weekly WHERE week < $analysed
    GROUP BY subject
)
SELECT c.subject, c.runs, c.failures, c.cost, c.duration,
       p.runs AS previous_runs, p.cost AS previous_cost, p.duration AS previous_duration,
       p.failures AS previous_failures,
       b.weeks, b.cost_median, b.cost_mad, b.duration_median, b.duration_mad,
       b.failure_rate_median, c.built_in
FROM weekly c
JOIN baseline b USING (subject)
LEFT JOIN weekly p ON p.subject = c.subject AND p.week = c.week - 1
WHERE c.week = $analysed AND c.runs >= $min_runs AND b.weeks >= $min_weeks
ORDER BY c.subject
"""


@dataclass(frozen=True)
class WorkflowWeek:
    """One workflow's analysed week beside its usual week."""

    subject: str
    runs: int
    failures: int
    cost: float
    duration: float | None
    previous_runs: int | None
    previous_cost: float | None
    previous_duration: float | None
    previous_failures: int | None
    weeks: int
    cost_median: float
    cost_mad: float
    duration_median: float | None
    duration_mad: float | None
    failure_rate_median: float
    built_in: bool  # a built-in DAG: named by its DAG id, which its evidence filters on


def workflow_weeks(
    connection: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime
) -> list[WorkflowWeek]:
    """Each workflow's week ``[start, end)`` with the medians of the weeks before it."""
    first = start - timedelta(weeks=t.BASELINE_WEEKS)
    rows = connection.execute(
        _WEEKLY_RUNS,
        {
            "tenant": tenant,
            "first": first,
            "end": end,
            "analysed": t.BASELINE_WEEKS,
            "week_seconds": WEEK_SECONDS,
            "min_runs": t.MIN_RUNS_PER_WEEK,
            "min_weeks": t.MIN_BASELINE_WEEKS,
        },
    ).fetchall()
    return [WorkflowWeek(*row) for row in rows]


def detect(connection: duckdb.DuckDBPyConnection, tenant: str, now: datetime) -> list[Insight]:
    """Cost jumps, duration jumps and failure spikes in the last complete week before ``now``."""
    start, end = last_complete_week(now)
    found: list[Insight] = []
    for week in workflow_weeks(connection, tenant, start, end):
        for finding in (_cost_jump, _duration_jump, _failure_spike):
            insight = finding(week, start, end)
            if insight is not None:
                found.append(insight)
    return found


def _cost_jump(week: WorkflowWeek, start: datetime, end: datetime) -> Insight | None:
    usual = week.cost_median
    z = robust_z(week.cost, usual, week.cost_mad)
    change = week.cost - usual
    if z < t.ROBUST_Z or change < t.MIN_COST_CHANGE_USD or week.cost < usual * t.MIN_COST_RATIO:
        return None
    ratio = week.cost / usual if usual > 0 else math.inf
    said = f"The {week.subject} workflow cost {money(week.cost)} last week ({span(start, end)}), "
    if week.previous_cost:
        sentence = (
            f"{said}{week.cost / week.previous_cost:.1f}{TIMES} the week before "
            f"({money(week.previous_cost)}); its usual week costs {money(usual)}."
        )
    elif usual > 0:
        sentence = f"{said}{ratio:.1f}{TIMES} its usual week ({money(usual)})."
    else:
        sentence = f"{said}against nothing in its usual week."
    return Insight(
        kind="cost_jump",
        subject_kind="workflow",
        subject=week.subject,
        sentence=sentence,
        score=score(z, change),
        impact_usd=round(change, 2),
        period_start=start,
        period_end=end,
        evidence=_evidence(week, start, end, "cost", z, ratio),
    )


def _duration_jump(week: WorkflowWeek, start: datetime, end: datetime) -> Insight | None:
    usual, now_ = week.duration_median, week.duration
    if usual is None or now_ is None or usual <= 0:
        return None
    z = robust_z(now_, usual, week.duration_mad)
    if (
        z < t.ROBUST_Z
        or now_ - usual < t.MIN_DURATION_CHANGE_S
        or now_ < usual * t.MIN_DURATION_RATIO
    ):
        return None
    # The share of the week's cost the extra time accounts for: runs are priced by duration.
    extra_cost = week.cost * (1 - usual / now_)
    sentence = (
        f"Runs of the {week.subject} workflow took {seconds(now_)} (median) last week "
        f"({span(start, end)}), {now_ / usual:.1f}{TIMES} their usual {seconds(usual)}."
    )
    return Insight(
        kind="duration_jump",
        subject_kind="workflow",
        subject=week.subject,
        sentence=sentence,
        score=score(z, extra_cost),
        impact_usd=round(extra_cost, 2),
        period_start=start,
        period_end=end,
        evidence=_evidence(week, start, end, "duration", z, now_ / usual),
    )


def _failure_spike(week: WorkflowWeek, start: datetime, end: datetime) -> Insight | None:
    rate = week.failures / week.runs
    usual = week.failure_rate_median or 0.0
    expected = max(usual, t.MIN_BASELINE_FAILURE_RATE)
    # Failures in a week are binomial: how far above the usual rate is this count?
    z = (week.failures - week.runs * expected) / math.sqrt(week.runs * expected * (1 - expected))
    if (
        week.failures < t.MIN_FAILURES
        or rate - usual < t.MIN_FAILURE_RATE_INCREASE
        or z < t.FAILURE_Z
    ):
        return None
    sentence = (
        f"{week.failures} of {week.runs} runs of the {week.subject} workflow failed last week "
        f"({span(start, end)}): {rate:.0%}, against a usual {usual:.0%}."
    )
    evidence = _evidence(week, start, end, "failure_rate", z, None)
    evidence["figures"] |= {"failure_rate": rate, "usual_failure_rate": usual}
    return Insight(
        kind="failure_spike",
        subject_kind="workflow",
        subject=week.subject,
        sentence=sentence,
        score=score(z),
        period_start=start,
        period_end=end,
        evidence=evidence,
    )


def _evidence(
    week: WorkflowWeek,
    start: datetime,
    end: datetime,
    metric: str,
    z: float,
    ratio: float | None,
) -> dict:
    baseline_start = start - timedelta(weeks=t.BASELINE_WEEKS)
    dimension = "dag_id" if week.built_in else "workflow"
    return {
        "view": "runs",
        "filters": {dimension: week.subject},
        "figures": {
            "runs": week.runs,
            "failures": week.failures,
            "cost_usd": round(week.cost, 4),
            "median_duration_s": week.duration,
            "previous_week_runs": week.previous_runs,
            "previous_week_cost_usd": week.previous_cost,
            "previous_week_median_duration_s": week.previous_duration,
            "baseline_weeks": week.weeks,
            "usual_cost_usd": week.cost_median,
            "usual_median_duration_s": week.duration_median,
            "robust_z": round(z, 2),
            "ratio": None if ratio is None or math.isinf(ratio) else round(ratio, 3),
        },
        "query": evidence_query(metric, dimension, week.subject, baseline_start, end, "week"),
    }
