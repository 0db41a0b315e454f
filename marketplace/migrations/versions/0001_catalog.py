"""Catalog listings and versions, metric rows, API keys, check runs, full-text index.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Weighted document: name (A) > tags, task, industry (B) > description (C). Must match
# marketplace.search.fulltext.PG_DOCUMENT for PostgreSQL to use the index.
PG_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(search_name, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(search_tags, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(description, '')), 'C')"
)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("mlflow_created_at", sa.BigInteger(), nullable=True),
        sa.Column("mlflow_updated_at", sa.BigInteger(), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "listings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("tenant", sa.String(100), nullable=False, index=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("task", sa.String(100), nullable=True, index=True),
        sa.Column("industry", sa.String(100), nullable=True, index=True),
        sa.Column("framework", sa.String(100), nullable=True, index=True),
        sa.Column("licence", sa.String(100), nullable=True, index=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=True),
        sa.Column("headline_version", sa.Integer(), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("search_name", sa.Text(), nullable=False),
        sa.Column("search_tags", sa.Text(), nullable=False),
        *_timestamps(),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_listings_mlflow_updated_at", "listings", ["mlflow_updated_at"])
    op.create_table(
        "listing_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "listing_id",
            sa.Integer(),
            sa.ForeignKey("listings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("model_id", sa.String(64), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("flavors", sa.JSON(), nullable=False),
        sa.Column("framework", sa.String(100), nullable=True),
        sa.Column("signature", sa.JSON(), nullable=True),
        sa.Column("input_example", sa.JSON(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("lineage", sa.JSON(), nullable=False),
        sa.Column("validation", sa.JSON(), nullable=True),
        sa.Column("benchmark", sa.JSON(), nullable=True),
        sa.Column("details_error", sa.Text(), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("listing_id", "version"),
    )
    op.create_table(
        "listing_metrics",
        sa.Column(
            "listing_id",
            sa.Integer(),
            sa.ForeignKey("listings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("value", sa.Float(), nullable=False),
    )
    op.create_index("ix_listing_metrics_key_value", "listing_metrics", ["key", "value"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False, index=True),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "check_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("model_name", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("conf", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_check_runs_target", "check_runs", ["kind", "model_name", "version"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # bm25-ranked full-text search; rowid is the listing id.
        op.execute(
            "CREATE VIRTUAL TABLE listing_fts USING fts5("
            "name, tags, description, tokenize = 'porter unicode61')"
        )
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_listings_fulltext ON listings USING GIN (({PG_DOCUMENT}))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS listing_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_listings_fulltext")
    op.drop_table("check_runs")
    op.drop_table("api_keys")
    op.drop_table("listing_metrics")
    op.drop_table("listing_versions")
    op.drop_table("listings")
