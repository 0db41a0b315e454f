"""One serving process for this package's tests, loading versions from the session's MLflow."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.harness.servers import RunningServer
from tests.integration.serving.support import register_linear, serving_server


@pytest.fixture(scope="module")
def serving_state(tmp_path_factory):
    return tmp_path_factory.mktemp("serving-state")


@pytest.fixture(scope="module")
def serving(mlflow, serving_state) -> Iterator[RunningServer]:
    with serving_server(serving_state, mlflow.url) as server:
        yield server


@pytest.fixture(scope="module")
def http(serving) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=serving.url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def linear_model(mlflow) -> str:
    """Versions 1 (slope 2) and 2 (slope 3) of a registered model."""
    name = "serving-linear"
    register_linear(mlflow.url, name, slope=2.0)
    register_linear(mlflow.url, name, slope=3.0)
    return name
