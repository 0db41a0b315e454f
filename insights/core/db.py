"""The insights database (value definitions, API tokens): SQLite locally, PostgreSQL in
production (``AIRLOOM_INSIGHTS_DATABASE_URL``), migrated through servicekit."""

from __future__ import annotations

from servicekit.database import make_engine, session_factory
from servicekit.migrations import Migrations

MIGRATIONS = Migrations(
    "insights:migrations", version_table="alembic_version_insights", own_table="value_definitions"
)

__all__ = ["MIGRATIONS", "make_engine", "session_factory"]
