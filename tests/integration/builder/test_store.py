"""The store's migrations build exactly the schema the models describe, on SQLite and
PostgreSQL, and running them again changes nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from workflow_builder_api.core.db import alembic_config, make_engine, migrate
from workflow_builder_api.models import Base


def test_migrations_build_the_models_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        migrate(engine)  # already at head: nothing to do, nothing fails
        tables = set(inspect(engine).get_table_names())
        assert {"api_tokens", "workflows", "workflow_versions", "runs"} <= tables
        head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() == head
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
