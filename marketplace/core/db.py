"""The marketplace's database (SQLite locally, PostgreSQL in production, chosen by
``AIRLOOM_MARKETPLACE_DATABASE_URL``) and its migrations, through servicekit."""

from __future__ import annotations

from servicekit.database import make_engine, session_factory
from servicekit.migrations import Migrations

MIGRATIONS = Migrations(
    "marketplace:migrations", version_table="alembic_version_marketplace", own_table="listings"
)

__all__ = ["MIGRATIONS", "make_engine", "session_factory"]
