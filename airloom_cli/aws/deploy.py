"""``airloom deploy``: upload a bundle to the MWAA bucket and point the environment at it.

MWAA reads ``dags/`` continuously, but takes ``plugins.zip`` and ``requirements.txt`` only at
the object versions its environment names. So the bucket must be versioned, and after the
upload the environment is updated with the versions S3 just returned.

Everything that can be checked is checked before the first byte is uploaded: the bundle is
complete and its DAGs import, the bucket exists and is versioned, the environment exists and
reads from that bucket.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import click
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from airloom_cli.aws.dag_check import DagCheckError, check_dags
from airloom_cli.aws.package import BUNDLE_FILES

PLUGINS_KEY = "plugins.zip"
REQUIREMENTS_KEY = "requirements.txt"
DAGS_PREFIX = "dags/"


class DeployError(click.ClickException):
    """A deploy that cannot go ahead; nothing has been uploaded when it is raised early."""


@dataclass
class DeployResult:
    """What was uploaded and what the environment now points at."""

    environment: str
    plugins_version: str
    requirements_version: str
    dag_keys: list[str] = field(default_factory=list)


def _mwaa_client(region: str | None):
    # MWAA's API prefixes the host with "api."; a custom endpoint (VPC endpoint, stand-in)
    # is already the full address, so the prefix must not be added to it.
    endpoint = os.environ.get("AWS_ENDPOINT_URL_MWAA") or os.environ.get("AWS_ENDPOINT_URL")
    config = Config(inject_host_prefix=not endpoint)
    return boto3.client("mwaa", region_name=region, endpoint_url=endpoint, config=config)


def check_bundle(bundle: Path) -> list[Path]:
    """Refuse an incomplete bundle or one whose DAGs fail to import; return its DAG files."""
    missing = [name for name in BUNDLE_FILES if not (bundle / name).exists()]
    if missing:
        raise DeployError(
            f"{bundle} is not a complete bundle (missing {', '.join(missing)}); "
            "run `airloom package` first."
        )
    try:
        result = check_dags(bundle / "dags", bundle / PLUGINS_KEY)
    except DagCheckError as exc:
        raise DeployError(str(exc)) from exc
    if not result.ok:
        raise DeployError(
            f"refused: {len(result.import_errors)} DAG file(s) fail to import, nothing was "
            f"uploaded.\n{result.describe_errors()}"
        )
    return sorted(
        path
        for path in (bundle / "dags").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def check_bucket(s3, bucket: str) -> None:
    """The bucket must exist, be reachable and keep object versions."""
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("404", "NoSuchBucket", "NotFound"):
            raise DeployError(f"bucket {bucket!r} does not exist; nothing was uploaded.") from exc
        raise DeployError(f"cannot use bucket {bucket!r} ({code}); nothing was uploaded.") from exc
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    if status != "Enabled":
        raise DeployError(
            f"bucket {bucket!r} does not keep versions: MWAA needs versioning to load "
            "plugins.zip and requirements.txt; nothing was uploaded."
        )


def check_environment(mwaa, environment: str, bucket: str) -> None:
    """The environment must exist and read from ``bucket``."""
    try:
        details = mwaa.get_environment(Name=environment)["Environment"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise DeployError(
                f"no MWAA environment named {environment!r} in {mwaa.meta.region_name}; "
                "nothing was uploaded (see `terraform output mwaa_environment_name`)."
            ) from exc
        raise
    source = details.get("SourceBucketArn", "")
    if source and source.split(":::")[-1] != bucket:
        raise DeployError(
            f"environment {environment!r} reads from {source}, not bucket {bucket!r}; "
            "nothing was uploaded."
        )


def deploy_bundle(bundle: Path, bucket: str, environment: str, region: str | None) -> DeployResult:
    """Check everything, upload the bundle, then update the environment to its versions."""
    s3 = boto3.client("s3", region_name=region)
    mwaa = _mwaa_client(region)
    # Cheap checks against AWS first, then the DAG import; all before any upload.
    check_bucket(s3, bucket)
    check_environment(mwaa, environment, bucket)
    dag_files = check_bundle(bundle)

    dag_keys = []
    for path in dag_files:
        key = DAGS_PREFIX + path.relative_to(bundle / "dags").as_posix()
        s3.upload_file(str(path), bucket, key)
        dag_keys.append(key)
    plugins = s3.put_object(
        Bucket=bucket, Key=PLUGINS_KEY, Body=(bundle / PLUGINS_KEY).read_bytes()
    )
    requirements = s3.put_object(
        Bucket=bucket, Key=REQUIREMENTS_KEY, Body=(bundle / REQUIREMENTS_KEY).read_bytes()
    )
    mwaa.update_environment(
        Name=environment,
        DagS3Path=DAGS_PREFIX.rstrip("/"),
        PluginsS3Path=PLUGINS_KEY,
        PluginsS3ObjectVersion=plugins["VersionId"],
        RequirementsS3Path=REQUIREMENTS_KEY,
        RequirementsS3ObjectVersion=requirements["VersionId"],
    )
    return DeployResult(
        environment=environment,
        plugins_version=plugins["VersionId"],
        requirements_version=requirements["VersionId"],
        dag_keys=dag_keys,
    )


@click.command()
@click.option("--bucket", required=True, help="The MWAA environment's source bucket.")
@click.option(
    "--environment",
    required=True,
    help="MWAA environment name (terraform output mwaa_environment_name, e.g. airloom-dev).",
)
@click.option(
    "--bundle",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist/mwaa"),
    show_default=True,
    help="Bundle folder written by `airloom package`.",
)
@click.option("--region", default=None, help="AWS region (default: the AWS configuration's).")
def deploy(bucket: str, environment: str, bundle: Path, region: str | None) -> None:
    """Upload the bundle to BUCKET and update the MWAA environment to its new versions."""
    try:
        result = deploy_bundle(bundle, bucket, environment, region)
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(f"AWS refused the deploy: {exc}") from exc
    click.echo(f"Uploaded {len(result.dag_keys)} DAG file(s) to s3://{bucket}/{DAGS_PREFIX}")
    click.echo(f"  {PLUGINS_KEY} version {result.plugins_version}")
    click.echo(f"  {REQUIREMENTS_KEY} version {result.requirements_version}")
    click.echo(f"MWAA environment {environment} is updating to these versions.")
