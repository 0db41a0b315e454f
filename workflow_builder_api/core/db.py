"""The store's engine, sessions and migrations (SQLite by default, PostgreSQL by URL), through
servicekit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from servicekit.database import make_engine, session_factory
from servicekit.migrations import Migrations

MIGRATIONS = Migrations(
    "workflow_builder_api:migrations",
    version_table="alembic_version_workflow_builder",
    own_table="workflows",
)

__all__ = ["MIGRATIONS", "make_engine", "session_factory", "transaction"]


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed if the block succeeds, rolled back if it raises."""
    with sessions() as session, session.begin():
        yield session
