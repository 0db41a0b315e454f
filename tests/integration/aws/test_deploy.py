"""`airloom deploy` against S3 on a moto server and an MWAA stand-in, over HTTP."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from airloom_cli.main import cli
from tests.integration.aws.mwaa_stand_in import MwaaStandIn

BROKEN_DAG = """\
from airflow.sdk import dag

from airloom.no_such_module import build  # a typo a DAG author could make


@dag(dag_id="broken_pipeline", schedule=None)
def broken_pipeline():
    build()


broken_pipeline()
"""


def run_deploy(bundle: Path, bucket: str, environment: str):
    return CliRunner().invoke(
        cli,
        ["deploy", "--bucket", bucket, "--environment", environment, "--bundle", str(bundle)],
    )


def object_keys(s3, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def updates_for(mwaa_api: MwaaStandIn, environment: str) -> list[dict]:
    return [update for update in mwaa_api.state.updates if update["Name"] == environment]


def test_deploy_uploads_the_bundle_and_points_mwaa_at_the_new_versions(
    bundle: Path, s3, bucket: str, environment: str, mwaa_api: MwaaStandIn
):
    first = run_deploy(bundle, bucket, environment)
    assert first.exit_code == 0, first.output

    dag_keys = sorted(
        f"dags/{p.relative_to(bundle / 'dags').as_posix()}" for p in (bundle / "dags").rglob("*.py")
    )
    assert set(dag_keys) <= set(object_keys(s3, bucket))
    assert {"plugins.zip", "requirements.txt"} <= set(object_keys(s3, bucket))
    uploaded = s3.get_object(Bucket=bucket, Key="plugins.zip")["Body"].read()
    assert uploaded == (bundle / "plugins.zip").read_bytes()

    # The bundle changes (a new requirement pin); the second deploy must pass the new versions.
    changed = bundle.parent / "changed"
    shutil.copytree(bundle, changed)
    (changed / "requirements.txt").write_text(
        (bundle / "requirements.txt").read_text() + "tenacity==9.1.2\n"
    )
    second = run_deploy(changed, bucket, environment)
    assert second.exit_code == 0, second.output

    updates = updates_for(mwaa_api, environment)
    assert len(updates) == 2
    latest = updates[-1]
    current_plugins = s3.head_object(Bucket=bucket, Key="plugins.zip")["VersionId"]
    current_requirements = s3.head_object(Bucket=bucket, Key="requirements.txt")["VersionId"]
    assert latest["PluginsS3Path"] == "plugins.zip"
    assert latest["PluginsS3ObjectVersion"] == current_plugins
    assert latest["RequirementsS3Path"] == "requirements.txt"
    assert latest["RequirementsS3ObjectVersion"] == current_requirements
    assert latest["DagS3Path"] == "dags"
    assert updates[0]["RequirementsS3ObjectVersion"] != current_requirements
    assert current_requirements in second.output


def test_deploy_to_a_missing_bucket_fails_clearly_and_uploads_nothing(
    bundle: Path, s3, environment: str, mwaa_api: MwaaStandIn
):
    result = run_deploy(bundle, "airflow-airloom-no-such-bucket", environment)

    assert result.exit_code != 0
    assert "bucket 'airflow-airloom-no-such-bucket' does not exist" in result.output
    assert "Traceback" not in result.output
    assert updates_for(mwaa_api, environment) == []


def test_deploy_to_an_unknown_environment_fails_clearly_and_uploads_nothing(
    bundle: Path, s3, bucket: str, mwaa_api: MwaaStandIn
):
    result = run_deploy(bundle, bucket, "airloom-nowhere")

    assert result.exit_code != 0
    assert "no MWAA environment named 'airloom-nowhere'" in result.output
    assert object_keys(s3, bucket) == []


def test_deploy_to_an_unversioned_bucket_is_refused(
    bundle: Path, s3, bucket: str, environment: str, mwaa_api: MwaaStandIn
):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})

    result = run_deploy(bundle, bucket, environment)

    assert result.exit_code != 0
    assert "does not keep versions" in result.output
    assert object_keys(s3, bucket) == []
    assert updates_for(mwaa_api, environment) == []


def test_a_bundle_with_a_dag_that_fails_to_import_is_refused_before_upload(
    bundle: Path, tmp_path: Path, s3, bucket: str, environment: str, mwaa_api: MwaaStandIn
):
    broken = tmp_path / "bundle"
    shutil.copytree(bundle, broken)
    (broken / "dags" / "broken_pipeline.py").write_text(BROKEN_DAG)

    result = run_deploy(broken, bucket, environment)

    assert result.exit_code != 0
    assert "broken_pipeline.py" in result.output
    assert "No module named 'airloom.no_such_module'" in result.output
    assert object_keys(s3, bucket) == []
    assert updates_for(mwaa_api, environment) == []
