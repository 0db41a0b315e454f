"""AWS node types, designed, published and run through the builder against AWS stand-ins:
moto for S3 and Kinesis, the loopback stand-in for the AI services moto lacks and for Glue
job runs (moto never runs a job's script)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.harness.aws_stand_ins.server import StandIn, aws_connection, aws_stand_in
from tests.harness.designs import Designer, designer
from tests.harness.servers import RunningServer

# The AWS connection the tests' tenants are granted (an admin would configure it on AWS).
AWS_CONN_ID = "aws_tests"


@pytest.fixture(scope="module")
def design(
    tmp_path_factory: pytest.TempPathFactory, airflow_db, airloom_connections
) -> Iterator[Designer]:
    """The builder that tenants design and publish with; published runs use this session's
    lake and Airflow database."""
    with designer(tmp_path_factory.mktemp("designs")) as running:
        yield running


@contextmanager
def connected_stand_in(moto: RunningServer) -> Iterator[StandIn]:
    """The AI services' stand-in, and the AWS connection ``aws_tests`` reaching it and moto."""
    variable = f"AIRFLOW_CONN_{AWS_CONN_ID.upper()}"
    with aws_stand_in(moto.url) as server:
        os.environ[variable] = json.dumps(aws_connection(moto.url, server.url))
        try:
            yield server
        finally:
            os.environ.pop(variable, None)


@pytest.fixture(scope="module")
def stand_in(moto: RunningServer) -> Iterator[StandIn]:
    """A module's own :func:`connected_stand_in`."""
    with connected_stand_in(moto) as server:
        yield server


@pytest.fixture
def stand_in_calls(stand_in: StandIn) -> StandIn:
    """The stand-in with no calls counted and no throttling pending, for one test."""
    stand_in.reset()
    return stand_in
