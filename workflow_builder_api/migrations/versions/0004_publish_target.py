"""publish target: where a workflow is published (a DAG file or MWAA Serverless), and the
service's version of it that runs are pinned to

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publish_target", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("published_workflow_version", sa.String(length=64), nullable=True)
        )
    # Everything published so far is a DAG file.
    op.execute(
        "UPDATE workflows SET publish_target = 'dag_file' WHERE published_version IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.drop_column("published_workflow_version")
        batch_op.drop_column("publish_target")
