"""Session-wide real components. Airflow's home is set before anything imports Airflow."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from airloom.connections import KAFKA_CONN_ID, LAKE_CONN_ID, MLFLOW_CONN_ID
from tests.harness.airflow import configure_airflow_home, migrate_database
from tests.harness.servers import RunningServer, kafka_broker, mlflow_server, moto_server
from tests.harness.stack import LocalStack, local_stack

AIRFLOW_HOME = configure_airflow_home()

pytest_plugins = ["tests.harness.worker_time"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Work units for `--dist loadgroup` (the Makefile's test run).

    Everything that runs a whole stack is one unit, on one worker, so one session stack
    serves it all and two stacks never compete for the cores; it goes first, being the
    longest, and the test that stops it (``stops_the_stack``) goes last. Every other module
    is a unit of its own, so its module fixtures (and folders such as Terraform's) are never
    set up by two workers at once; modules sharing their
    package's fixtures keep the group they name (``pytestmark = pytest.mark.xdist_group(…)``),
    so those are set up once for them all.
    """
    for item in items:
        in_stack = "stack" in getattr(item, "fixturenames", ()) or item.get_closest_marker("e2e")
        named = item.get_closest_marker("xdist_group")
        group = "stack" if in_stack else named.args[0] if named else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))
    items.sort(
        key=lambda item: (
            item.get_closest_marker("xdist_group").args[0] != "stack",
            item.get_closest_marker("stops_the_stack") is not None,
        )
    )


@pytest.fixture(scope="session")
def broker() -> Iterator[RunningServer]:
    with kafka_broker() as server:
        yield server


@pytest.fixture(scope="session")
def mlflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with mlflow_server(tmp_path_factory.mktemp("mlflow")) as server:
        yield server


@pytest.fixture(scope="session")
def moto() -> Iterator[RunningServer]:
    with moto_server() as server:
        yield server


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lake")


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    migrate_database()
    return AIRFLOW_HOME


@pytest.fixture(scope="session")
def airloom_connections(broker: RunningServer, mlflow: RunningServer, lake: Path) -> dict[str, str]:
    """Airloom's connections pointing at this session's components, as DAGs see them."""
    connections = {
        f"AIRFLOW_CONN_{KAFKA_CONN_ID.upper()}": json.dumps(
            {"conn_type": "kafka", "extra": {"bootstrap.servers": broker.url}}
        ),
        f"AIRFLOW_CONN_{MLFLOW_CONN_ID.upper()}": json.dumps(
            {"conn_type": "http", "host": mlflow.url}
        ),
        f"AIRFLOW_CONN_{LAKE_CONN_ID.upper()}": json.dumps(
            {"conn_type": "fs", "extra": {"path": lake.as_uri()}}
        ),
    }
    os.environ.update(connections)
    return connections


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """The whole local stack (`airloom up`) on free ports, shared by end-to-end tests."""
    with local_stack() as running:
        yield running


@pytest.fixture(scope="module")
def own_broker(airloom_connections: dict[str, str]) -> Iterator[RunningServer]:
    """A broker of this module's own, with Airloom's Kafka connection pointing at it.

    DAGs name fixed topics (customer_events, card_transactions): modules that count what
    arrives on them get a fresh broker, so no other module's records are in the count.
    """
    variable = f"AIRFLOW_CONN_{KAFKA_CONN_ID.upper()}"
    with kafka_broker() as server:
        os.environ[variable] = json.dumps(
            {"conn_type": "kafka", "extra": {"bootstrap.servers": server.url}}
        )
        try:
            yield server
        finally:
            os.environ[variable] = airloom_connections[variable]
