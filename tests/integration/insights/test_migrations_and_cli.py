"""The insights migrations build the schema its models describe (SQLite, and PostgreSQL when
AIRLOOM_TEST_POSTGRES_URL is set); its CLI creates tokens the API accepts."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect

from insights.cli import insights as insights_cli
from insights.core.config import get_settings
from insights.core.db import MIGRATIONS, make_engine
from insights.models import Base
from tests.integration.insights.conftest import insights_settings, open_insights
from tests.integration.marketplace.conftest import fresh_postgres_database

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("AIRLOOM_TEST_POSTGRES_URL") else [])
TABLES = {"value_definitions", "api_tokens", "insights"}


@pytest.fixture(params=DATABASES)
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'nested' / 'insights.db'}"
    else:
        url = fresh_postgres_database(os.environ["AIRLOOM_TEST_POSTGRES_URL"])
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_upgrade_builds_what_the_models_describe_and_downgrade_removes_it(engine):
    MIGRATIONS.upgrade(engine)
    assert MIGRATIONS.current(engine) == MIGRATIONS.head() == "0002"
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": MIGRATIONS.version_table}
        )
        assert compare_metadata(context, Base.metadata) == []
    MIGRATIONS.downgrade(engine, "base")
    assert not TABLES & set(inspect(engine).get_table_names())


def test_a_token_the_cli_creates_reads_its_tenant_figures(broker, tmp_path, monkeypatch):
    database = f"sqlite:///{tmp_path / 'insights.db'}"
    monkeypatch.setenv("AIRLOOM_INSIGHTS_DATABASE_URL", database)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(insights_cli, ["create-token", "--tenant", "acme"])
        refused = CliRunner().invoke(insights_cli, ["create-token", "--tenant", "../acme"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert refused.exit_code != 0 and "not a tenant name" in refused.output
    token = result.output.strip().splitlines()[-1]
    settings = insights_settings(broker.url, tmp_path / "lake", database, consume_enabled=False)
    with open_insights(settings) as app:
        answer = app.client.get("/api/v1/kpis", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and answer.json()["runs"] == 0
        changing = app.client.post(
            "/api/v1/values",
            json={"target_kind": "workflow", "target": "w", "basis": "per_run", "amount_usd": 1},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert changing.status_code == 403  # a viewer by default
