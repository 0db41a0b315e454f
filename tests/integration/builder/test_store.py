"""The store's migrations build exactly the schema the models describe, on SQLite and
PostgreSQL, and running them again changes nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from workflow_builder_api.core.db import MIGRATIONS, make_engine
from workflow_builder_api.models import Base


def test_migrations_build_the_models_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        MIGRATIONS.upgrade(engine)
        assert not MIGRATIONS.upgrade(engine).changed  # already at head: nothing to do
        tables = set(inspect(engine).get_table_names())
        assert {"api_tokens", "workflows", "workflow_versions", "runs"} <= tables
        assert MIGRATIONS.current(engine) == MIGRATIONS.head()
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": MIGRATIONS.version_table}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
