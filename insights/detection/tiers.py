"""Tiers hitting their rate limits: the share of a tier's API calls answered 429 last week."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from insights.detection import thresholds as t
from insights.detection.insight import Insight, evidence_query, score, span, utc

if TYPE_CHECKING:
    import duckdb

_TIER_CALLS = """
SELECT coalesce(tier, '(no tier)') AS tier, count(*) AS calls,
       count(*) FILTER (WHERE rate_limited IS TRUE OR status = 429) AS limited,
       arg_max(route, routes) AS busiest_route
FROM (
    SELECT tier, route, rate_limited, status,
           count(*) FILTER (WHERE rate_limited IS TRUE OR status = 429)
               OVER (PARTITION BY tier, route) AS routes
    FROM api_calls
    WHERE tenant = $tenant AND "at" >= $start AND "at" < $end
)
GROUP BY ALL
HAVING count(*) >= $min_calls
ORDER BY tier
"""


def detect(connection: duckdb.DuckDBPyConnection, tenant: str, now: datetime) -> list[Insight]:
    """Tiers whose calls in the last week were refused with 429 often enough to matter."""
    end = utc(now)
    start = end - t.RATE_LIMIT_WINDOW
    rows = connection.execute(
        _TIER_CALLS,
        {"tenant": tenant, "start": start, "end": end, "min_calls": t.MIN_TIER_CALLS},
    ).fetchall()
    found = []
    for tier, calls, limited, busiest_route in rows:
        share = limited / calls
        if share < t.MIN_RATE_LIMITED_SHARE or limited < t.MIN_RATE_LIMITED_CALLS:
            continue
        sentence = (
            f"{share:.0%} of the {tier} tier's API calls were refused by the rate limit in the "
            f"last 7 days ({limited:,} of {calls:,}, most on {busiest_route})."
        )
        found.append(
            Insight(
                kind="rate_limit_pressure",
                subject_kind="tier",
                subject=tier,
                sentence=sentence,
                # How many times the noticeable share it reaches.
                score=score(share / t.MIN_RATE_LIMITED_SHARE * 2),
                period_start=start,
                period_end=end,
                evidence={
                    "view": "api_calls",
                    "filters": {"tier": tier},
                    "figures": {
                        "calls": calls,
                        "rate_limited": limited,
                        "rate_limited_share": round(share, 4),
                        "busiest_route": busiest_route,
                        "period": span(start, end),
                    },
                    "query": evidence_query("rate_limited_share", "tier", tier, start, end, "day"),
                },
            )
        )
    return found
