"""Run every detector for one tenant and rank what they find."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from insights.detection import endpoints, models, tiers, workflows
from insights.detection.insight import Insight, utc

if TYPE_CHECKING:
    import duckdb


def detect_insights(
    connection: duckdb.DuckDBPyConnection,
    tenant: str,
    now: datetime,
    model_metrics: models.ModelMetrics | None = None,
) -> list[Insight]:
    """Every finding of ``tenant`` as of ``now``, the most deserving of attention first.

    ``connection`` holds the read model's views (only ``tenant``'s rows in the service; the
    detectors filter by tenant anyway). Without ``model_metrics`` champion and challenger are
    not compared.
    """
    now = utc(now)
    found = (
        workflows.detect(connection, tenant, now)
        + endpoints.detect(connection, tenant, now)
        + tiers.detect(connection, tenant, now)
    )
    if model_metrics is not None:
        found += models.detect(connection, tenant, now, model_metrics)
    return sorted(found, key=lambda i: (-i.score, -(i.impact_usd or 0), i.kind, i.subject))
