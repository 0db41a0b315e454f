"""A marketplace upgraded in place keeps its endpoints: migration 0002 builds the `endpoints`
table from the deployment runs already recorded (on SQLite, and PostgreSQL when
AIRLOOM_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from marketplace.core.db import MIGRATIONS, make_engine
from tests.integration.marketplace.conftest import fresh_postgres_database

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("AIRLOOM_TEST_POSTGRES_URL") else [])
INSERT_RUN = text(
    "INSERT INTO check_runs (kind, model_name, version, tenant, dag_id, run_id, state, conf, "
    "requested_by, created_at, updated_at) VALUES (:kind, :model, :version, :tenant, "
    "'model_deployment', :run_id, :state, :conf, 'alm_test', :at, :at)"
)


@pytest.fixture(params=DATABASES)
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'marketplace.db'}"
    else:
        url = fresh_postgres_database(os.environ["AIRLOOM_TEST_POSTGRES_URL"])
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_each_endpoint_gets_the_tenant_target_and_latest_run_of_its_deployments(engine) -> None:
    MIGRATIONS.upgrade(engine, "0001")
    start = datetime(2026, 11, 1, tzinfo=UTC)
    churn = {"endpoint": "churn", "target": "local"}
    runs = [
        ("deployment", "acme-churn", "acme", "d1", "success", churn),
        ("deployment", "acme-churn", "acme", "d2", "running", churn),
        ("deployment", "globex-fraud", "globex", "d3", "failed",
         {"endpoint": "fraud-sm", "target": "sagemaker"}),
        ("validation", "acme-churn", "acme", "v1", "success", {"model_name": "acme-churn"}),
    ]  # fmt: skip
    with engine.begin() as connection:
        for minute, (kind, model, tenant, run_id, state, conf) in enumerate(runs):
            connection.execute(
                INSERT_RUN,
                {
                    "kind": kind,
                    "model": model,
                    "version": 1,
                    "tenant": tenant,
                    "run_id": run_id,
                    "state": state,
                    "conf": json.dumps(conf),
                    "at": start + timedelta(minutes=minute),
                },
            )

    MIGRATIONS.upgrade(engine)

    with engine.connect() as connection:
        endpoints = connection.execute(
            text(
                "SELECT name, tenant, target, model_name, run_id, busy FROM endpoints ORDER BY name"
            )
        ).all()
        indexed = dict(connection.execute(text("SELECT run_id, endpoint FROM check_runs")).all())
    assert [tuple(row) for row in endpoints] == [
        ("churn", "acme", "local", "acme-churn", "d2", True),  # its latest run still runs
        ("fraud-sm", "globex", "sagemaker", "globex-fraud", "d3", False),
    ]
    assert indexed == {"d1": "churn", "d2": "churn", "d3": "fraud-sm", "v1": None}
