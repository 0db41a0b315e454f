"""The builder under test: a real store (SQLite, and PostgreSQL when CI provides one), a real
dags folder, DagBag imports, and the catalog of Airloom's operators."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicekit.airflow_client import RestAirflowClient
from tests.harness.servers import free_port
from tests.integration.builder.api import (
    Builder,
    fresh_database,
    running_builder,
    write_template,
)
from tests.integration.builder.specs import template_spec
from workflow_builder_api.core.config import Settings

POSTGRES_URL = os.environ.get("AIRLOOM_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp("store"), POSTGRES_URL) as url:
        yield url


@pytest.fixture(scope="module")
def builder(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builder]:
    folder = tmp_path_factory.mktemp("builder")
    templates = folder / "templates"
    write_template(
        templates, "tiny_pipeline", template_spec(), title="Tiny pipeline", industry="testing"
    )
    settings = Settings(
        database_url=database_url,
        dags_folder=str(folder / "dags"),
        templates_folder=templates,
        run_poll_seconds=0.5,
    )
    # Nothing listens on this port: tests that need Airflow use the local stack instead.
    nowhere = f"http://127.0.0.1:{free_port()}"
    with running_builder(
        settings, airflow_factory=lambda: RestAirflowClient(nowhere, "admin", "unused")
    ) as running:
        yield running


@pytest.fixture
def dags_folder(builder: Builder) -> Path:
    return builder.dags_folder
