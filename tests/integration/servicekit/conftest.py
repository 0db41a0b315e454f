"""Each test of the shared service parts runs for both services, on SQLite and (when CI gives
one through AIRLOOM_TEST_POSTGRES_URL, see .ci/postgres.sh) on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.builder.api import fresh_database
from tests.integration.servicekit.services import SERVICES, Service

POSTGRES_URL = os.environ.get("AIRLOOM_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(params=SERVICES, ids=lambda service: service.name)
def service(request: pytest.FixtureRequest) -> Service:
    return request.param


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a new database on the test PostgreSQL server."""
    with fresh_database(request.param, tmp_path, POSTGRES_URL) as url:
        yield url
