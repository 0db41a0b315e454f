"""The builder and the AI services' stand-in, package-scoped, with this package's modules one
xdist group (``pytestmark``): the Bedrock modules share one of each, as one module did."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.aws_stand_ins.server import StandIn
from tests.harness.designs import Designer, designer
from tests.harness.servers import RunningServer
from tests.integration.aws_nodes.conftest import connected_stand_in


@pytest.fixture(scope="package")
def design(
    tmp_path_factory: pytest.TempPathFactory,
    airflow_db: Path,
    airloom_connections: dict[str, str],
) -> Iterator[Designer]:
    """The builder that tenants design and publish with; published runs use this session's
    lake and Airflow database."""
    with designer(tmp_path_factory.mktemp("designs")) as running:
        yield running


@pytest.fixture(scope="package")
def stand_in(moto: RunningServer) -> Iterator[StandIn]:
    with connected_stand_in(moto) as server:
        yield server
