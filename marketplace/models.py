"""The marketplace's tables: listings mirrored from MLflow, API keys, check runs, endpoints.

Listings are a read model of MLflow's registry kept by the catalog sync; MLflow stays the source
of truth. The full-text index (an FTS5 table on SQLite, a GIN expression index on PostgreSQL)
is created by the migrations and maintained in :mod:`marketplace.search.fulltext`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Listing(Base):
    """One registered model, as the marketplace lists it."""

    __tablename__ = "listings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    tenant: Mapped[str] = mapped_column(String(100), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    task: Mapped[str | None] = mapped_column(String(100), index=True)
    industry: Mapped[str | None] = mapped_column(String(100), index=True)
    framework: Mapped[str | None] = mapped_column(String(100), index=True)
    licence: Mapped[str | None] = mapped_column(String(100), index=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    aliases: Mapped[dict[str, Any]] = mapped_column(default=dict)
    latest_version: Mapped[int | None] = mapped_column(Integer)
    # The version the listing's headline figures come from: the champion, else the latest.
    headline_version: Mapped[int | None] = mapped_column(Integer)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Text the full-text index reads: names split into words, tags flattened.
    search_name: Mapped[str] = mapped_column(Text, default="")
    search_tags: Mapped[str] = mapped_column(Text, default="")
    mlflow_created_at: Mapped[int | None] = mapped_column(BigInteger)
    mlflow_updated_at: Mapped[int | None] = mapped_column(BigInteger, index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[ListingVersion]] = relationship(
        back_populates="listing",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ListingVersion.version",
    )
    metric_values: Mapped[list[ListingMetric]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class ListingVersion(Base):
    """One model version: signature, metrics, lineage, validation and benchmark results."""

    __tablename__ = "listing_versions"
    __table_args__ = (UniqueConstraint("listing_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(40), default="READY")
    description: Mapped[str] = mapped_column(Text, default="")
    run_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(Text)
    model_id: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    flavors: Mapped[list[Any]] = mapped_column(default=list)
    framework: Mapped[str | None] = mapped_column(String(100))
    signature: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    input_example: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    lineage: Mapped[dict[str, Any]] = mapped_column(default=dict)
    validation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    benchmark: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    details_error: Mapped[str | None] = mapped_column(Text)
    mlflow_created_at: Mapped[int | None] = mapped_column(BigInteger)
    mlflow_updated_at: Mapped[int | None] = mapped_column(BigInteger)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")

    listing: Mapped[Listing] = relationship(back_populates="versions")


class ListingMetric(Base):
    """The headline version's metrics, one row each, so metric filters are plain SQL."""

    __tablename__ = "listing_metrics"
    __table_args__ = (Index("ix_listing_metrics_key_value", "key", "value"),)

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class ApiKey(Base):
    """An API key: only its sha256 is stored; it carries a tenant and a tier."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    tenant: Mapped[str] = mapped_column(String(100), index=True)
    tier: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


DEPLOYMENT_RUN = "deployment"  # CheckRun.kind of deploy and rollback runs


class CheckRun(Base):
    """A validation, benchmark or deployment DAG run the marketplace started."""

    __tablename__ = "check_runs"
    __table_args__ = (
        Index("ix_check_runs_target", "kind", "model_name", "version"),
        Index("ix_check_runs_endpoint", "endpoint", "kind"),
        Index("ix_check_runs_run_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    model_name: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    tenant: Mapped[str] = mapped_column(String(100))
    dag_id: Mapped[str] = mapped_column(String(250))
    run_id: Mapped[str] = mapped_column(String(250))
    state: Mapped[str] = mapped_column(String(40))
    conf: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requested_by: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Deployment runs only: the endpoint they deploy to, and the run's last reported phase
    # (the `deployment` XCom of its rollout task), kept once the run has ended.
    endpoint: Mapped[str | None] = mapped_column(String(63))
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Endpoint(Base):
    """One endpoint name, the tenant and target holding it, and its deployment runs.

    The primary key makes a name one tenant's, and ``busy`` with ``run_id`` is the lock a
    deployment takes: a request claims the endpoint with a conditional update (or the insert
    of a new row) in one transaction, so of concurrent deploys to one endpoint exactly one
    starts a run. The lock is released once that run has ended, as the next read finds out.
    """

    __tablename__ = "endpoints"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(100), index=True)
    target: Mapped[str] = mapped_column(String(40))
    model_name: Mapped[str] = mapped_column(String(255))
    run_id: Mapped[str] = mapped_column(String(250))  # the latest deployment run
    busy: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
