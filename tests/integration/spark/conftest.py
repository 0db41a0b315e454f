"""A real local Spark session for the Spark integration tests (two cores)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness.spark import use_local_spark

use_local_spark()


@pytest.fixture(scope="session")
def spark() -> Iterator:
    from airloom.spark.session import spark_session

    yield spark_session("airloom-integration-tests")
