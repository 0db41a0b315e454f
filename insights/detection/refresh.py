"""The service side of automated insights: run the detectors on a tenant's read model, keep
what they find in the insights table, read it back ranked, and say which tenants have activity.

Champion and challenger metrics come from the model registry when the service knows where it
is (``AIRLOOM_INSIGHTS_MLFLOW_TRACKING_URI``, else ``MLFLOW_TRACKING_URI``); without one that
detector does not run.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from airloom.tenancy import TENANT_PATTERN
from insights.activity.events import KINDS as ACTIVITY_KINDS
from insights.detection.insight import Insight
from insights.detection.models import ModelMetrics, RegistryModelMetrics
from insights.detection.run import detect_insights
from insights.models import StoredInsight
from insights.readmodel.views import ReadModel, Values

MAX_SENTENCE = 1000  # the column's length; sentences are far shorter, names are not bounded


class DetectionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIRLOOM_INSIGHTS_", extra="ignore")

    mlflow_tracking_uri: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "AIRLOOM_INSIGHTS_MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_URI"
        ),
        description="Where champion and challenger metrics are read; unset: not compared",
    )


def registry_metrics(settings: DetectionSettings | None = None) -> ModelMetrics | None:
    settings = settings or DetectionSettings()
    if not settings.mlflow_tracking_uri:
        return None
    from mlflow import MlflowClient

    return RegistryModelMetrics(MlflowClient(tracking_uri=settings.mlflow_tracking_uri))


def refresh(
    session: Session,
    read_model: ReadModel,
    tenant: str,
    values: Values,
    now: datetime | None = None,
    model_metrics: ModelMetrics | None = None,
) -> list[StoredInsight]:
    """Detect ``tenant``'s insights as of ``now`` and replace its stored ones with them."""
    now = now or datetime.now(UTC)
    with read_model.connect(tenant, values) as connection:
        found = detect_insights(connection, tenant, now, model_metrics)
    refreshed_at = datetime.now(UTC)
    session.execute(delete(StoredInsight).where(StoredInsight.tenant == tenant))
    rows = [_row(tenant, insight, refreshed_at) for insight in found]
    session.add_all(rows)
    session.commit()
    return rows


def _row(tenant: str, insight: Insight, refreshed_at: datetime) -> StoredInsight:
    return StoredInsight(
        tenant=tenant,
        kind=insight.kind,
        subject_kind=insight.subject_kind,
        subject=insight.subject[:255],
        sentence=insight.sentence[:MAX_SENTENCE],
        score=insight.score,
        impact_usd=insight.impact_usd,
        period_start=insight.period_start,
        period_end=insight.period_end,
        evidence=insight.evidence,
        refreshed_at=refreshed_at,
    )


def stored(
    session: Session,
    tenant: str,
    *,
    kind: str | None = None,
    subject_kind: str | None = None,
    subject: str | None = None,
    limit: int = 50,
) -> list[StoredInsight]:
    """``tenant``'s stored insights, the highest score first."""
    query = select(StoredInsight).where(StoredInsight.tenant == tenant)
    if kind is not None:
        query = query.where(StoredInsight.kind == kind)
    if subject_kind is not None:
        query = query.where(StoredInsight.subject_kind == subject_kind)
    if subject is not None:
        query = query.where(StoredInsight.subject == subject)
    order = (StoredInsight.score.desc(), StoredInsight.kind, StoredInsight.subject)
    return list(session.scalars(query.order_by(*order).limit(limit)))


def activity_tenants(activity_uri: str) -> list[str]:
    """Every tenant with activity in the lake (its ``<kind>/tenant=<name>`` folders)."""
    from pyarrow import fs

    filesystem, root = fs.FileSystem.from_uri(
        activity_uri if "://" in activity_uri else f"file://{activity_uri}"
    )
    tenants: set[str] = set()
    for kind in ACTIVITY_KINDS:
        selector = fs.FileSelector(f"{root}/{kind}", allow_not_found=True)
        for info in filesystem.get_file_info(selector):
            name = info.base_name
            if info.type == fs.FileType.Directory and name.startswith("tenant="):
                tenant = name.removeprefix("tenant=")
                if TENANT_PATTERN.fullmatch(tenant):
                    tenants.add(tenant)
    return sorted(tenants)
