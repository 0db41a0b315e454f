"""Endpoints keyed by name (the deployment lock), and deployment runs indexed by endpoint.

Existing deployment runs get their endpoint from their conf, and each endpoint's row is built
from its latest run, so a stack upgraded in place keeps its endpoints and their owners.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ACTIVE_STATES = ("queued", "running")


def upgrade() -> None:
    with op.batch_alter_table("check_runs") as batch:
        batch.add_column(sa.Column("endpoint", sa.String(63), nullable=True))
        batch.add_column(sa.Column("outcome", sa.JSON(), nullable=True))
    op.create_index("ix_check_runs_endpoint", "check_runs", ["endpoint", "kind"])
    op.create_index("ix_check_runs_run_id", "check_runs", ["run_id"])
    endpoints = op.create_table(
        "endpoints",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("tenant", sa.String(100), nullable=False, index=True),
        sa.Column("target", sa.String(40), nullable=False),
        sa.Column("model_name", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("busy", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    _backfill(endpoints)


def _backfill(endpoints: sa.Table) -> None:
    runs = sa.table(
        "check_runs",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("model_name", sa.String()),
        sa.column("tenant", sa.String()),
        sa.column("run_id", sa.String()),
        sa.column("state", sa.String()),
        sa.column("conf", sa.JSON()),
        sa.column("endpoint", sa.String()),
    )
    bind = op.get_bind()
    latest: dict[str, dict] = {}
    query = sa.select(runs).where(runs.c.kind == "deployment").order_by(runs.c.id)
    for run in bind.execute(query).mappings():
        name = (run["conf"] or {}).get("endpoint")
        if not name:
            continue
        bind.execute(sa.update(runs).where(runs.c.id == run["id"]).values(endpoint=name))
        latest[name] = {
            "name": name,
            "tenant": run["tenant"],
            "target": (run["conf"] or {}).get("target") or "local",
            "model_name": run["model_name"],
            "run_id": run["run_id"],
            "busy": run["state"] in ACTIVE_STATES,
            "updated_at": datetime.now(UTC),
        }
    if latest:
        op.bulk_insert(endpoints, list(latest.values()))


def downgrade() -> None:
    op.drop_table("endpoints")
    op.drop_index("ix_check_runs_run_id", "check_runs")
    op.drop_index("ix_check_runs_endpoint", "check_runs")
    with op.batch_alter_table("check_runs") as batch:
        batch.drop_column("outcome")
        batch.drop_column("endpoint")
