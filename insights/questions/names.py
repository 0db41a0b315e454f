"""The names a tenant's questions may use: its own workflows, endpoints, models, node types,
tiers, routes and services, read from its read model, so the translator resolves "the churn
workflow" against what this tenant has and nothing else."""

from __future__ import annotations

from typing import Any

# Dimension → the views that hold it (a fixed list: these are the only identifiers used).
NAMED_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "workflow": ("runs",),
    "node_type": ("task_runs",),
    "endpoint": ("invocations", "deployments"),
    "model": ("invocations", "deployments"),
    "tier": ("api_calls",),
    "route": ("api_calls",),
    "service": ("api_calls",),
}
MAX_NAMES = 2000


def known_names(connection: Any, tenant: str) -> dict[str, list[str]]:
    """Each named dimension → the tenant's distinct values, for ``QuestionContext.names``."""
    names: dict[str, list[str]] = {}
    for dimension, views in NAMED_DIMENSIONS.items():
        union = " UNION ".join(
            f'SELECT DISTINCT CAST("{dimension}" AS VARCHAR) AS name FROM {view} '
            f'WHERE tenant = $tenant AND "{dimension}" IS NOT NULL'
            for view in views
        )
        rows = connection.execute(
            f"SELECT name FROM ({union}) ORDER BY name LIMIT $limit",
            {"tenant": tenant, "limit": MAX_NAMES},
        ).fetchall()
        names[dimension] = [name for (name,) in rows]
    return names
