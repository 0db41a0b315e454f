"""The MWAA Serverless stand-in, reached through a plain boto3 ``mwaa-serverless`` client, with
moto's S3 for definitions and code packages. The stand-in and the bucket are package-scoped,
and the modules one xdist group (``pytestmark``), so they are set up once for all of them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.harness.aws_stand_ins.mwaa_serverless import mwaa_serverless_client
from tests.harness.aws_stand_ins.server import REGION, StandIn, aws_stand_in
from tests.harness.servers import RunningServer


@pytest.fixture(scope="package")
def stand_in(moto: RunningServer) -> Iterator[StandIn]:
    with aws_stand_in(moto.url) as server:
        yield server


@pytest.fixture(scope="package")
def serverless(stand_in: StandIn) -> Any:
    return mwaa_serverless_client(stand_in)


@pytest.fixture(scope="package")
def s3(moto: RunningServer) -> Any:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("s3", endpoint_url=moto.url, region_name=REGION, **keys)


@pytest.fixture(scope="package")
def bucket(s3: Any) -> str:
    """A versioned bucket for definitions and code packages, as Airloom's publisher uses."""
    name = f"airloom-serverless-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name
