"""``airloom package``: build the MWAA bundle and the container build contexts.

The bundle (``dist/mwaa`` by default) holds what MWAA reads from its bucket, plus the images:

- ``dags/``: the DAG files;
- ``plugins.zip``: MWAA's plugins folder: ``airloom/`` (on ``sys.path``), the AirflowPlugin
  entry module ``airloom_plugin.py`` (Airloom Studio in Airflow's navigation) and the
  ``.airflowignore`` that keeps Airflow from importing ``airloom/``'s files as plugins;
- ``requirements.txt``: pinned task dependencies for MWAA's Python (see ``requirements``);
- ``images/``: Dockerfiles for the workflow builder, the marketplace and MLflow, with a
  snapshot of the sources they install and the built Studio app the builder serves (Docker
  builds them; this command does not);
- ``manifest.json``: the DAG ids and each file's SHA-256.

Studio must be built first (``make studio``). Every DAG is imported with Airflow's DagBag
against the new ``plugins.zip``; a bundle with an import error is refused and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import click

from airloom_cli.aws.dag_check import DagCheckError, check_dags
from airloom_cli.aws.project import Project, find_project
from airloom_cli.aws.requirements import mwaa_requirements

BUNDLE_FILES = ("requirements.txt", "plugins.zip", "dags")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
# Fixed timestamps make the same sources give the same plugins.zip, byte for byte.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
# What the service images install: the project's packages and the lock pinning their deps.
IMAGE_SOURCES = (
    "pyproject.toml",
    "uv.lock",
    "README.md",
    "plugins/airloom",
    "airloom_cli",
    "insights",  # runs from the marketplace's image with its own command (Terraform)
    "marketplace",
    "servicekit",
    "workflow_builder_api",
    # The builder serves it under /studio/ (its image sets AIRLOOM_BUILDER_STUDIO_DIST).
    "studio/dist",
)
# Beside airloom/ at the root of MWAA's plugins folder: Airflow imports the entry module as a
# plugin, and .airflowignore keeps it from importing each file of airloom/ as a top-level module.
PLUGIN_ROOT_FILES = ("airloom_plugin.py", ".airflowignore")


class BundleRefused(click.ClickException):
    """The bundle would not work on MWAA; nothing was written."""


def build_plugins_zip(plugins: Path, target: Path) -> None:
    """Zip MWAA's plugins folder: ``airloom/`` and the entry files at the zip's root."""
    package = plugins / "airloom"
    files = [plugins / name for name in PLUGIN_ROOT_FILES]
    for path in files:
        if not path.is_file():
            raise click.ClickException(f"{path} is missing: MWAA would load no Airloom plugin.")
    files += sorted(
        path
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(plugins).as_posix(), date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())


def require_studio_build(project: Project) -> None:
    """The builder's image serves Studio: refuse to package without a build of it."""
    if not (project.studio_dist / "index.html").is_file():
        raise click.ClickException(
            f"Airloom Studio is not built ({project.studio_dist / 'index.html'} is missing): "
            "run `make studio` first; the workflow builder's image serves it under /studio/."
        )


def copy_image_build_files(project: Project, images: Path) -> None:
    """Copy ``containers/`` and a snapshot of the sources the service images install."""
    if not project.containers.is_dir():
        raise click.ClickException(f"{project.containers} is missing: no image build files.")
    shutil.copytree(project.containers, images, ignore=IGNORED)
    context = images / "context"
    for relative in IMAGE_SOURCES:
        source = project.root / relative
        if source.is_dir():
            shutil.copytree(source, context / relative, ignore=IGNORED)
        elif source.is_file():
            (context / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, context / relative)


def file_digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def build_bundle(project: Project, output: Path, echo=click.echo) -> dict:
    """Build the bundle into ``output`` (replacing it) and return its manifest.

    :raises BundleRefused: when a DAG fails to import; ``output`` is left untouched.
    :raises click.ClickException: when Studio is not built or a plugin file is missing.
    """
    require_studio_build(project)
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".airloom-bundle-", dir=output.parent))
    try:
        shutil.copytree(project.dags, staging / "dags", ignore=IGNORED)
        build_plugins_zip(project.plugins, staging / "plugins.zip")
        (staging / "requirements.txt").write_text(mwaa_requirements(project.root))

        echo("Importing every DAG with Airflow's DagBag ...")
        try:
            result = check_dags(staging / "dags", staging / "plugins.zip")
        except DagCheckError as exc:
            raise click.ClickException(str(exc)) from exc
        if not result.ok:
            raise BundleRefused(
                f"refused: {len(result.import_errors)} DAG file(s) fail to import, "
                f"nothing was packaged.\n{result.describe_errors()}"
            )

        copy_image_build_files(project, staging / "images")
        manifest = {
            "dag_ids": result.dag_ids,
            "files": {
                name: digest
                for name, digest in file_digests(staging).items()
                if not name.startswith("images/")
            },
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

        if output.exists():
            shutil.rmtree(output)
        staging.rename(output)
        return manifest
    finally:
        if staging.exists():
            shutil.rmtree(staging)


@click.command()
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Airloom checkout to package (default: the one around the current directory).",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Bundle folder to write (default: <project>/dist/mwaa).",
)
def package(project_dir: Path | None, output: Path | None) -> None:
    """Build the MWAA bundle: dags/, plugins.zip, requirements.txt and the images' build files."""
    project = find_project(project_dir)
    target = output or project.root / "dist" / "mwaa"
    manifest = build_bundle(project, target)
    click.echo(f"Bundle written to {target}: {len(manifest['dag_ids'])} DAG(s) import cleanly.")
    click.echo("  requirements.txt, plugins.zip, dags/  -> `airloom deploy --bucket ...`")
    click.echo("  images/                               -> docker build (see images/README.md)")
