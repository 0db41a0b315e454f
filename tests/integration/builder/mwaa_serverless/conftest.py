"""The builder configured for MWAA Serverless, shared by this package's modules.

Definitions and the code package go to a versioned bucket on moto's S3; the service is the
loopback stand-in, which really runs each version's definition (dag-factory's loader,
``dag.test()``) on this session's lake and Airflow database. The stand-in, the bucket and the
builder are package-scoped, and the modules one xdist group (``pytestmark``), so they are set
up once for all of them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.harness.aws_stand_ins.server import REGION, StandIn, aws_stand_in
from tests.harness.servers import RunningServer
from tests.integration.builder.api import Builder
from tests.integration.builder.mwaa_serverless.serverless import CODE_KEY, serverless_builder


@pytest.fixture(scope="package")
def stand_in(moto: RunningServer) -> Iterator[StandIn]:
    with aws_stand_in(moto.url) as server:
        yield server


@pytest.fixture(scope="package")
def s3(moto: RunningServer) -> Any:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("s3", endpoint_url=moto.url, region_name=REGION, **keys)


@pytest.fixture(scope="package")
def bucket(s3: Any) -> str:
    """The versioned bucket of definitions and the code package (any small zip here)."""
    name = f"airloom-serverless-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=name, Key=CODE_KEY, Body=b"PK\x05\x06" + b"\0" * 18)
    return name


@pytest.fixture(scope="package")
def builder(
    tmp_path_factory: pytest.TempPathFactory,
    moto: RunningServer,
    stand_in: StandIn,
    bucket: str,
    airflow_db: Path,
    airloom_connections: dict[str, str],
) -> Iterator[Builder]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        folder = tmp_path_factory.mktemp("serverless-builder")
        with serverless_builder(folder, moto, stand_in, bucket) as running:
            yield running
