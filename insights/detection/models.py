"""Champion against challenger: the read model has no model metrics, so they come from the
model registry (MLflow, through :mod:`airloom.ml.registry`).

The models judged are the tenant's own: those its endpoints served or deployed (from the read
model, tenant-scoped), and only if the registry says the model is the tenant's
(``airloom.tenant``). Metrics are compared where both versions have them, in the direction the
platform's evaluation uses (:func:`airloom.ml.metrics.higher_is_better`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, get_args

from airloom import model_tags
from airloom.ml.metrics import MetricName, higher_is_better
from insights.detection import thresholds as t
from insights.detection.insight import Insight, evidence_query, score, utc

if TYPE_CHECKING:
    import duckdb
    from mlflow import MlflowClient

# Only the metrics the platform's evaluation computes: a run's other metrics (losses per
# epoch, timings) are not comparable between two fits.
COMPARED_METRICS: tuple[str, ...] = get_args(MetricName)

_TENANT_MODELS = """
SELECT DISTINCT model FROM (
    SELECT model FROM invocations WHERE tenant = $tenant AND model IS NOT NULL
    UNION ALL
    SELECT model FROM deployments WHERE tenant = $tenant AND model IS NOT NULL
) ORDER BY model
"""


@dataclass(frozen=True)
class VersionMetrics:
    version: int
    metrics: dict[str, float]


class ModelMetrics(Protocol):
    """Where champion and challenger metrics come from (the registry in the service)."""

    def champion_and_challenger(
        self, tenant: str, model: str
    ) -> tuple[VersionMetrics, VersionMetrics] | None:
        """Both versions' metrics, or None when the model lacks either alias or is not
        ``tenant``'s."""


class RegistryModelMetrics:
    """:class:`ModelMetrics` from an MLflow registry."""

    def __init__(self, client: MlflowClient) -> None:
        self.client = client

    def champion_and_challenger(
        self, tenant: str, model: str
    ) -> tuple[VersionMetrics, VersionMetrics] | None:
        from mlflow.exceptions import MlflowException

        from airloom.ml.registry import run_metrics, version_by_alias

        try:
            registered = self.client.get_registered_model(model)
        except MlflowException:
            return None  # not in the registry (any more): nothing to compare
        owner = (registered.tags or {}).get(model_tags.TENANT, model_tags.DEFAULT_TENANT)
        if owner != tenant:
            return None
        champion = version_by_alias(self.client, model, model_tags.CHAMPION_ALIAS)
        challenger = version_by_alias(self.client, model, model_tags.CHALLENGER_ALIAS)
        if champion is None or challenger is None or champion.version == challenger.version:
            return None
        return (
            VersionMetrics(int(champion.version), run_metrics(self.client, champion)),
            VersionMetrics(int(challenger.version), run_metrics(self.client, challenger)),
        )


def detect(
    connection: duckdb.DuckDBPyConnection,
    tenant: str,
    now: datetime,
    metrics: ModelMetrics,
) -> list[Insight]:
    """One insight per model whose challenger differs clearly from its champion."""
    now = utc(now)
    models = [row[0] for row in connection.execute(_TENANT_MODELS, {"tenant": tenant}).fetchall()]
    found = []
    for model in models:
        pair = metrics.champion_and_challenger(tenant, model)
        if pair is None:
            continue
        insight = compare(model, *pair, now=now)
        if insight is not None:
            found.append(insight)
    return found


def compare(
    model: str, champion: VersionMetrics, challenger: VersionMetrics, now: datetime
) -> Insight | None:
    """The clearest metric difference between the two versions, if any is clear enough."""
    best: tuple[float, str, float, float] | None = None
    for metric in COMPARED_METRICS:
        if metric not in champion.metrics or metric not in challenger.metrics:
            continue
        old, new = champion.metrics[metric], challenger.metrics[metric]
        gain = (new - old) if higher_is_better(metric) else (old - new)
        relative = abs(gain) / max(abs(old), 1e-9)
        if (
            abs(new - old) < t.MIN_MODEL_METRIC_ABSOLUTE_CHANGE
            or relative < t.MIN_MODEL_METRIC_RELATIVE_CHANGE
        ):
            continue
        if best is None or relative > abs(best[0]):
            best = (relative if gain > 0 else -relative, metric, old, new)
    if best is None:
        return None
    relative, metric, old, new = best
    verdict = "better" if relative > 0 else "worse"
    sentence = (
        f"The challenger of the {model} model (version {challenger.version}) scores "
        f"{new:.3g} {metric} against the champion's {old:.3g} (version {champion.version}): "
        f"{abs(relative):.0%} {verdict}."
    )
    start = now - timedelta(days=7)
    return Insight(
        kind="model_metric_change",
        subject_kind="model",
        subject=model,
        sentence=sentence,
        # A relative change of 5 % is as notable as a robust z of about 3.5.
        score=score(abs(relative) / t.MIN_MODEL_METRIC_RELATIVE_CHANGE * t.ROBUST_Z),
        period_start=start,
        period_end=now,
        evidence={
            "view": "model registry",
            "filters": {"model": model},
            "figures": {
                "metric": metric,
                "champion_version": champion.version,
                "challenger_version": challenger.version,
                "champion": champion.metrics,
                "challenger": challenger.metrics,
                "relative_change": round(relative, 4),
            },
            "query": evidence_query("latency_p95", "model", model, start, now, "day"),
        },
    )
