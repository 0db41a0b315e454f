"""The insights service's own tables: value definitions, API tokens and automated insights.

Activity itself is not here: it lives in the lake as Parquet and is read through DuckDB
(:mod:`insights.readmodel`). Only what people set through the API, and the automated
insights found in the activity, are stored in SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class ValueDefinition(Base):
    """What one unit of a workflow's or an endpoint's output is worth to the business.

    ``amount_usd`` per ``basis`` (a successful run, a prediction, an alert acted on …);
    ``quantity`` says how many of the basis's units one run (workflow) or one prediction
    (endpoint) yields, as the business estimates it (2.5 hours saved per run).
    """

    __tablename__ = "value_definitions"
    __table_args__ = (
        UniqueConstraint("tenant", "target_kind", "target", "basis", name="uq_value_target_basis"),
        Index("ix_value_definitions_tenant", "tenant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(31))
    target_kind: Mapped[str] = mapped_column(String(16))  # workflow | endpoint
    target: Mapped[str] = mapped_column(String(255))
    basis: Mapped[str] = mapped_column(String(32))
    amount_usd: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 6), default=Decimal(1))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class ApiToken(Base):
    """A program's token: its tenant and role; only servicekit's digest of it is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    tenant: Mapped[str] = mapped_column(String(31))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class StoredInsight(Base):
    """One automated insight of a tenant, from its latest refresh (:mod:`insights.detection`).

    A refresh replaces the tenant's insights: they say what the detectors find now, so one
    that no longer holds (a regression rolled back) goes away.
    """

    __tablename__ = "insights"
    __table_args__ = (Index("ix_insights_tenant_score", "tenant", "score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(31))
    kind: Mapped[str] = mapped_column(String(32))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255))
    sentence: Mapped[str] = mapped_column(String(1000))
    score: Mapped[float] = mapped_column(Float)
    impact_usd: Mapped[float | None] = mapped_column(Float, nullable=True)
    period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    period_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
