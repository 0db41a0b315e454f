"""Alembic migrations build the schema the models describe, on SQLite and (when
AIRLOOM_TEST_POSTGRES_URL is set) on PostgreSQL."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from marketplace.core.db import MIGRATIONS, make_engine
from marketplace.models import Base
from marketplace.search.fulltext import not_fulltext_object
from tests.integration.marketplace.conftest import fresh_postgres_database

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("AIRLOOM_TEST_POSTGRES_URL") else [])
TABLES = {"listings", "listing_versions", "listing_metrics", "api_keys", "check_runs", "endpoints"}


@pytest.fixture(params=DATABASES)
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'nested' / 'marketplace.db'}"
    else:
        url = fresh_postgres_database(os.environ["AIRLOOM_TEST_POSTGRES_URL"])
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_upgrade_builds_what_the_models_describe_and_downgrade_removes_it(engine) -> None:
    MIGRATIONS.upgrade(engine)

    assert MIGRATIONS.current(engine) == "0002"
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_name": not_fulltext_object, "version_table": MIGRATIONS.version_table},
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []

    MIGRATIONS.downgrade(engine, "base")
    assert not TABLES & set(inspect(engine).get_table_names())

    MIGRATIONS.upgrade(engine)  # and back again: the downgrade left nothing behind
    assert MIGRATIONS.current(engine) == "0002"


def test_upgrading_twice_is_harmless(engine) -> None:
    MIGRATIONS.upgrade(engine)
    MIGRATIONS.upgrade(engine)

    assert MIGRATIONS.current(engine) == "0002"
