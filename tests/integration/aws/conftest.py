"""AWS for the packaging and deploy tests: S3 from the session's moto server, MWAA from a
stand-in (moto has no MWAA), both reached over HTTP through boto3's endpoint variables."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from airloom_cli.aws.package import build_bundle
from airloom_cli.aws.project import find_project
from tests.harness.servers import RunningServer
from tests.integration.aws.mwaa_stand_in import REGION, MwaaStandIn, mwaa_stand_in

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def mwaa_api() -> Iterator[MwaaStandIn]:
    with mwaa_stand_in() as server:
        yield server


@pytest.fixture
def aws_env(
    moto: RunningServer, mwaa_api: MwaaStandIn, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL_S3": moto.url,
        "AWS_ENDPOINT_URL_MWAA": mwaa_api.url,
    }
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def s3(aws_env: dict[str, str]):
    return boto3.client("s3", region_name=REGION)


@pytest.fixture
def mwaa(aws_env: dict[str, str]):
    return boto3.client(
        "mwaa",
        region_name=REGION,
        endpoint_url=aws_env["AWS_ENDPOINT_URL_MWAA"],
        config=Config(inject_host_prefix=False),
    )


@pytest.fixture
def bucket(s3) -> str:
    """A fresh versioned bucket named as MWAA requires."""
    name = f"airflow-airloom-test-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


@pytest.fixture
def environment(mwaa, bucket: str) -> str:
    """An MWAA environment reading from ``bucket``."""
    name = f"airloom-test-{uuid.uuid4().hex[:8]}"
    mwaa.create_environment(
        Name=name,
        ExecutionRoleArn="arn:aws:iam::123456789012:role/airloom-test-mwaa-execution",
        SourceBucketArn=f"arn:aws:s3:::{bucket}",
        DagS3Path="dags",
        NetworkConfiguration={"SubnetIds": ["subnet-1", "subnet-2"], "SecurityGroupIds": ["sg-1"]},
        AirflowVersion="3.0.6",
    )
    return name


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real bundle of this checkout, built once per session."""
    target = tmp_path_factory.mktemp("bundle") / "mwaa"
    build_bundle(find_project(PROJECT_ROOT), target, echo=lambda _message: None)
    return target
