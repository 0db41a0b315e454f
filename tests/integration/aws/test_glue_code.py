"""`airloom glue-code`: the Glue streaming job's script and airloom zip, written, imported from
the zip as Glue imports ``--extra-py-files``, and uploaded to a versioned bucket on moto's S3."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from airloom_cli.aws.glue_code import build_glue_code, third_party_imports
from airloom_cli.aws.project import Project
from airloom_cli.main import cli
from tests.integration.aws.mwaa_stand_in import REGION

PROJECT = Project(Path(__file__).resolve().parents[3])
ENTRY_POINT = PROJECT.plugins / "airloom" / "spark" / "glue_stream_entrypoint.py"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("glue")
    build_glue_code(PROJECT, out)
    return out


def test_the_zip_holds_the_airloom_package_only(built: Path):
    with zipfile.ZipFile(built / "airloom-glue.zip") as archive:
        names = archive.namelist()

    assert {
        "airloom/__init__.py",
        "airloom/spark/__init__.py",
        "airloom/spark/streams.py",
        "airloom/spark/output.py",
        "airloom/spark/glue_stream_entrypoint.py",
    } <= set(names)
    assert all(name.startswith("airloom/") for name in names)
    assert not any(
        part in name.split("/")
        for name in names
        for part in ("workflow_builder_api", "marketplace", "tests", "__pycache__")
    )
    assert not any(name.endswith(".pyc") for name in names)
    # The script is the entry point's source, as it is.
    assert (built / "glue_stream_entrypoint.py").read_bytes() == ENTRY_POINT.read_bytes()


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path):
    build_glue_code(PROJECT, tmp_path)

    assert (tmp_path / "airloom-glue.zip").read_bytes() == (built / "airloom-glue.zip").read_bytes()


def test_the_entry_point_imports_from_the_zip_as_glue_imports_it(built: Path):
    zip_path = built / "airloom-glue.zip"
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(zip_path)!r})\n"
        "import airloom.spark.glue_stream_entrypoint as entry, airloom.spark.streams as streams\n"
        "request, run_id = entry.parse_arguments(sys.argv[1:])\n"
        "print(json.dumps([entry.__file__, streams.__file__, request.label, run_id]))\n"
    )
    request = {
        "label": "node 'orders'",
        "area": "s3://lake/tenants/acme/",
        "value_schema": "id STRING",
        "output_uri": "s3://lake/tenants/acme/orders",
        "checkpoint_uri": "s3://lake/tenants/acme/_checkpoints/orders",
        "result_folder": "s3://lake/tenants/acme/_stream_runs/job",
    }
    glue_arguments = ["--airloom_stream", json.dumps(request), "--JOB_RUN_ID", "jr_1"]
    # -I: no PYTHONPATH, no current directory, no user site: only the zip supplies airloom.
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, *glue_arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=built,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    entry_file, streams_file, label, run_id = json.loads(result.stdout)
    assert entry_file == f"{zip_path}/airloom/spark/glue_stream_entrypoint.py"
    assert streams_file == f"{zip_path}/airloom/spark/streams.py"
    assert (label, run_id) == ("node 'orders'", "jr_1")


def test_the_streaming_path_needs_nothing_glue_lacks_but_the_kafka_fallback():
    imports = third_party_imports(PROJECT.plugins)

    assert imports["pyspark"]  # Glue provides it
    # Airloom's own Kafka reader alone needs confluent_kafka; on Glue Spark's kafka format reads.
    assert imports == {
        "confluent_kafka": ["airloom/spark/kafka_source.py"],
        "pyspark": imports["pyspark"],
    }


def test_upload_puts_both_objects_with_their_versions(s3, bucket: str, tmp_path: Path):
    prefix = f"s3://{bucket}/serverless/glue/"
    args = ["glue-code", "--out", str(tmp_path), "--project", str(PROJECT.root)]

    result = CliRunner().invoke(cli, [*args, "--upload", prefix])

    assert result.exit_code == 0, result.output
    assert "not bundled: confluent_kafka" in result.output
    for name in ("glue_stream_entrypoint.py", "airloom-glue.zip"):
        key = f"serverless/glue/{name}"
        version = s3.head_object(Bucket=bucket, Key=key)["VersionId"]
        assert f"uploaded s3://{bucket}/{key} version {version}" in result.output
        stored = s3.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read()
        assert stored == (tmp_path / name).read_bytes()


def test_an_unversioned_bucket_is_refused_and_nothing_uploaded(s3, tmp_path: Path):
    name = f"airloom-unversioned-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    args = ["glue-code", "--out", str(tmp_path), "--project", str(PROJECT.root)]

    result = CliRunner().invoke(cli, [*args, "--upload", f"s3://{name}/glue/"])

    assert result.exit_code != 0
    assert f"bucket {name} does not keep versions" in result.output
    assert "nothing was uploaded" in result.output
    assert "Contents" not in s3.list_objects_v2(Bucket=name)


def test_a_bad_prefix_is_refused_before_writing(tmp_path: Path):
    out = tmp_path / "glue"
    result = CliRunner().invoke(cli, ["glue-code", "--out", str(out), "--upload", "bucket/glue/"])

    assert result.exit_code != 0
    assert "'bucket/glue/' is not s3://bucket/prefix/" in result.output
    assert not out.exists()
