"""Findings per endpoint: latency regressions after a deployment, and endpoints nobody calls.

A regression compares the endpoint's p95 latency in the week before a deployment became ready
with the p95 after it (until the next deployment or now); the usual spread is the median and
MAD of the daily p95s before. An idle endpoint served requests (or was deployed) but has had
none for :data:`~insights.detection.thresholds.IDLE_DAYS` days.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from insights.detection import thresholds as t
from insights.detection.insight import (
    TIMES,
    Insight,
    day,
    evidence_query,
    robust_z,
    score,
    utc,
)

if TYPE_CHECKING:
    import duckdb

# Each deployment that became ready in the lookback; "before" starts no earlier than the
# previous ready deployment and "after" ends at the next one, so one version is judged at a time.
_AROUND_DEPLOYMENTS = """
WITH ready AS (
    SELECT endpoint, model, model_version, action, "at" AS deployed_at,
           lag("at") OVER (PARTITION BY endpoint ORDER BY "at") AS previous_at,
           lead("at") OVER (PARTITION BY endpoint ORDER BY "at") AS next_at
    FROM deployments
    WHERE tenant = $tenant AND state = 'ready' AND "at" < $now
), judged AS (
    SELECT row_number() OVER (ORDER BY endpoint, deployed_at) AS id, *,
           greatest(deployed_at - $window, coalesce(previous_at, deployed_at - $window))
               AS before_start,
           least(deployed_at + $window, coalesce(next_at, $now), $now) AS after_end
    FROM ready WHERE deployed_at >= $since
), requests AS (
    SELECT j.id, i."at" >= j.deployed_at AS after, i."at", i.latency_ms, i.cost_usd
    FROM judged j JOIN invocations i
      ON i.tenant = $tenant AND i.endpoint = j.endpoint
     AND i."at" >= j.before_start AND i."at" < j.after_end
    WHERE i.latency_ms IS NOT NULL
), daily_before AS (
    SELECT id, date_trunc('day', "at") AS day, quantile_cont(latency_ms, 0.95) AS p95
    FROM requests WHERE NOT after GROUP BY ALL
), spread AS (
    SELECT id, count(*) AS days, median(p95) AS daily_median, mad(p95) AS daily_mad
    FROM daily_before GROUP BY id
), sides AS (
    SELECT id,
           count(*) FILTER (WHERE NOT after) AS before_requests,
           count(*) FILTER (WHERE after) AS after_requests,
           quantile_cont(latency_ms, 0.95) FILTER (WHERE NOT after) AS before_p95,
           quantile_cont(latency_ms, 0.95) FILTER (WHERE after) AS after_p95,
           avg(cost_usd) FILTER (WHERE NOT after) AS before_cost,
           avg(cost_usd) FILTER (WHERE after) AS after_cost
    FROM requests GROUP BY id
)
SELECT j.endpoint, j.model, j.model_version, j.action, epoch(j.deployed_at),
       epoch(j.before_start), epoch(j.after_end),
       s.before_requests, s.after_requests, s.before_p95, s.after_p95,
       s.before_cost, s.after_cost, p.days, p.daily_median, p.daily_mad
FROM judged j JOIN sides s USING (id) JOIN spread p USING (id)
WHERE s.before_requests >= $min_requests AND s.after_requests >= $min_requests
ORDER BY j.endpoint, j.deployed_at
"""

_IDLE = """
WITH traffic AS (
    SELECT endpoint, count(*) AS requests, max("at") AS last_at
    FROM invocations WHERE tenant = $tenant AND "at" < $now GROUP BY endpoint
), deployed AS (
    SELECT endpoint, max("at") AS ready_at
    FROM deployments WHERE tenant = $tenant AND state = 'ready' AND "at" < $now
    GROUP BY endpoint
)
SELECT endpoint, coalesce(t.requests, 0), epoch(t.last_at), epoch(d.ready_at)
FROM traffic t FULL JOIN deployed d USING (endpoint)
WHERE greatest(t.last_at, d.ready_at) < $idle_since  -- greatest() skips a missing one
  AND (coalesce(t.requests, 0) >= $min_past OR d.ready_at IS NOT NULL)
ORDER BY endpoint
"""


def _time(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def detect(connection: duckdb.DuckDBPyConnection, tenant: str, now: datetime) -> list[Insight]:
    return latency_regressions(connection, tenant, now) + idle_endpoints(connection, tenant, now)


def latency_regressions(
    connection: duckdb.DuckDBPyConnection, tenant: str, now: datetime
) -> list[Insight]:
    """Deployments in the lookback after which the endpoint's p95 latency rose clearly."""
    now = utc(now)
    rows = connection.execute(
        _AROUND_DEPLOYMENTS,
        {
            "tenant": tenant,
            "now": now,
            "since": now - t.DEPLOYMENT_LOOKBACK,
            "window": t.LATENCY_WINDOW,
            "min_requests": t.MIN_REQUESTS_EACH_SIDE,
        },
    ).fetchall()
    found = []
    for (
        endpoint,
        model,
        version,
        action,
        deployed_epoch,
        before_epoch,
        after_epoch,
        before_requests,
        after_requests,
        before_p95,
        after_p95,
        before_cost,
        after_cost,
        days,
        daily_median,
        daily_mad,
    ) in rows:
        if days < t.MIN_DAYS_BEFORE:
            continue
        z = robust_z(after_p95, daily_median, daily_mad)
        if (
            z < t.ROBUST_Z
            or after_p95 - before_p95 < t.MIN_LATENCY_CHANGE_MS
            or after_p95 < before_p95 * t.MIN_LATENCY_RATIO
        ):
            continue
        deployed_at = _time(deployed_epoch)
        start, end = _time(before_epoch), _time(after_epoch)
        # Serving is priced by the time requests take: the extra time has a price.
        extra = max(((after_cost or 0) - (before_cost or 0)) * after_requests, 0.0)
        what = f"{model} version {version}" if model and version else (model or "a new version")
        change = (
            f"after a rollback to {what}" if action == "rollback" else f"after {what} was deployed"
        )
        sentence = (
            f"The {endpoint} endpoint's p95 latency rose from {before_p95:.0f} ms to "
            f"{after_p95:.0f} ms ({after_p95 / before_p95:.1f}{TIMES}) {change} "
            f"on {day(deployed_at)}."
        )
        found.append(
            Insight(
                kind="latency_regression",
                subject_kind="endpoint",
                subject=endpoint,
                sentence=sentence,
                score=score(z, extra),
                impact_usd=round(extra, 4),
                period_start=deployed_at,
                period_end=end,
                evidence={
                    "view": "invocations",
                    "filters": {"endpoint": endpoint},
                    "figures": {
                        "deployed_at": deployed_at.isoformat(),
                        "model": model,
                        "model_version": version,
                        "action": action,
                        "requests_before": before_requests,
                        "requests_after": after_requests,
                        "p95_before_ms": round(before_p95, 2),
                        "p95_after_ms": round(after_p95, 2),
                        "daily_p95_median_ms": round(daily_median, 2),
                        "days_before": days,
                        "robust_z": round(z, 2),
                    },
                    "query": evidence_query("latency_p95", "endpoint", endpoint, start, end, "day"),
                },
            )
        )
    return found


def idle_endpoints(
    connection: duckdb.DuckDBPyConnection, tenant: str, now: datetime
) -> list[Insight]:
    """Endpoints that served requests (or were deployed) but none in the last IDLE_DAYS days."""
    now = utc(now)
    rows = connection.execute(
        _IDLE,
        {
            "tenant": tenant,
            "now": now,
            "idle_since": now - timedelta(days=t.IDLE_DAYS),
            "min_past": t.MIN_PAST_REQUESTS,
        },
    ).fetchall()
    found = []
    for endpoint, requests, last_epoch, ready_epoch in rows:
        last, ready = _time(last_epoch), _time(ready_epoch)
        since = max(moment for moment in (last, ready) if moment is not None)
        idle_days = (now - since).days
        if last is None:
            sentence = (
                f"The {endpoint} endpoint has had no requests in the {idle_days} days since it "
                f"was deployed on {day(ready)}."
            )
        else:
            sentence = (
                f"The {endpoint} endpoint has had no requests for {idle_days} days "
                f"(the last on {day(last)})."
            )
        found.append(
            Insight(
                kind="idle_endpoint",
                subject_kind="endpoint",
                subject=endpoint,
                sentence=sentence,
                # Surprise grows with the idle time beyond the threshold, a week per step.
                score=score(idle_days / t.IDLE_DAYS * 3),
                period_start=since,
                period_end=now,
                evidence={
                    "view": "invocations",
                    "filters": {"endpoint": endpoint},
                    "figures": {
                        "requests_before": requests,
                        "last_request_at": last.isoformat() if last else None,
                        "last_ready_deployment_at": ready.isoformat() if ready else None,
                        "idle_days": idle_days,
                    },
                    "query": evidence_query(
                        "invocations", "endpoint", endpoint, since - timedelta(days=30), now, "day"
                    ),
                },
            )
        )
    return found
