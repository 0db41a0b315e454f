"""Automated insights, per tenant, from each tenant's latest refresh.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insights",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant", sa.String(31), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("sentence", sa.String(1000), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("impact_usd", sa.Float(), nullable=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_insights_tenant_score", "insights", ["tenant", "score"])


def downgrade() -> None:
    op.drop_index("ix_insights_tenant_score", table_name="insights")
    op.drop_table("insights")
