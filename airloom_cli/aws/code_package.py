"""``airloom code-package``: the Airloom code package for Amazon MWAA Serverless.

MWAA Serverless runs each workflow's tasks from a code package in S3 (``CreateWorkflow``'s
``Code.S3Location``, at an object version). Airloom's is one zip holding, at its root, the
``airloom`` package and its pinned runtime dependencies, installed for the service's Python
(3.12) and platform (manylinux x86_64) from wheels only — never this machine's interpreter.

The pins come from ``uv.lock`` (``uv export``), minus what the service provides (Apache Airflow,
the Amazon and standard providers, and everything they depend on) and what no MWAA Serverless
task runs (the services' and the local stack's packages, the FAB auth manager, PySpark: Spark
runs on EMR Serverless or Glue). The zip is deterministic: the same sources and pins give the
same bytes (sorted entries, fixed timestamps and modes), so an unchanged package uploads as an
identical object.

Assumed, not confirmed against the service (see docs/aws.md): the zip's root goes on the
workers' ``sys.path`` (unpacked: compiled extensions cannot be imported from a zip), and the
service's image provides the packages left out here at versions compatible with these pins.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import boto3
import click
from botocore.exceptions import BotoCoreError, ClientError
from packaging.utils import canonicalize_name

from airloom_cli.aws.project import Project, find_project
from airloom_cli.aws.requirements import NOT_FOR_MWAA, export_pins, find_uv

#: The service's runtime (AWS, "What is Amazon MWAA Serverless?": Airflow 3 with Python 3.12).
PYTHON_VERSION = "3.12"
#: Its workers' platform: x86_64 Linux is assumed (not stated by AWS in what was read).
PYTHON_PLATFORM = "x86_64-manylinux_2_28"

#: What the service's image is assumed to hold: their whole dependency trees are left out.
PROVIDED_BY_MWAA_SERVERLESS = (
    "apache-airflow",
    "apache-airflow-providers-amazon",
    # Airflow 3's PythonOperator lives here; the service runs PythonOperator tasks.
    "apache-airflow-providers-standard",
    # The Amazon provider's extra for its deferrable triggers, pinned to botocore's version.
    "aiobotocore",
)

#: Not needed by any task MWAA Serverless runs.
NOT_FOR_MWAA_SERVERLESS = (
    *NOT_FOR_MWAA,
    "apache-airflow-providers-fab",  # the auth manager behind the Airflow UI: the service has none
    "pyspark",  # Spark runs on EMR Serverless or Glue; the compiler refuses local[*] there
)

DEFAULT_OUTPUT = Path("dist") / "airloom-code.zip"
# Fixed timestamps and modes: the same inputs give the same zip, byte for byte.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16
SKIPPED_PARTS = {"__pycache__", "bin"}  # bytecode; console scripts naming this machine's python


@dataclass(frozen=True)
class CodePackage:
    """A built code package."""

    path: Path
    sha256: str
    entries: int


def code_package_requirements(project_root: Path) -> str:
    """The pins the code package installs, one ``name==version`` per line, from ``uv.lock``."""
    pins = export_pins(
        project_root, provided=PROVIDED_BY_MWAA_SERVERLESS, not_needed=NOT_FOR_MWAA_SERVERLESS
    )
    return "\n".join(pins) + "\n"


def sdist_only(lock_file: Path, requirements: str) -> set[str]:
    """Pinned packages whose locked version has no wheel at all: these alone may be built.

    The lock's sdist-only packages are pure Python (``promise``, from MLflow's GraphQL
    dependency): built here, they make ``py3-none-any`` wheels that run on any Python.
    """
    lock = tomllib.loads(lock_file.read_text())
    without_wheels = {
        (canonicalize_name(package["name"]), package["version"])
        for package in lock.get("package", [])
        if not package.get("wheels") and "sdist" in package
    }
    names = set()
    for line in requirements.splitlines():
        name, _, rest = line.partition("==")
        version = rest.split(";")[0].strip()
        if (canonicalize_name(name.strip()), version) in without_wheels:
            names.add(canonicalize_name(name.strip()))
    return names


def install_for_service(
    project_root: Path, requirements: Path, target: Path, buildable: set[str] = frozenset()
) -> None:
    """Install ``requirements`` into ``target`` for the service's Python and platform.

    Wheels only, except the ``buildable`` packages: a package without a wheel for the target
    fails here, not on the service. ``--no-deps``: the pins are the whole set, and what the
    service provides must not be pulled back in by a provider's own requirements.
    """
    pinned = {
        canonicalize_name(line.split("==")[0].strip())
        for line in requirements.read_text().splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }
    binary_only = sorted(pinned - buildable) if buildable else [":all:"]
    command = [
        find_uv(project_root),
        "pip",
        "install",
        "--quiet",
        "--target",
        str(target),
        "--python-version",
        PYTHON_VERSION,
        "--python-platform",
        PYTHON_PLATFORM,
        *[arg for name in binary_only for arg in ("--only-binary", name)],
        "--no-deps",
        "-r",
        str(requirements),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise click.ClickException(
            f"installing the code package's requirements for Python {PYTHON_VERSION} "
            f"({PYTHON_PLATFORM}) failed:\n{result.stderr.strip()}"
        )
    # A compiled extension for another interpreter would fail to import on the service.
    foreign = sorted(
        path.relative_to(target).as_posix()
        for path in target.rglob("*.so")
        if "cpython-" in path.name and f"cpython-{PYTHON_VERSION.replace('.', '')}" not in path.name
    )
    if foreign:
        raise click.ClickException(
            f"{foreign[0]} is built for another Python than {PYTHON_VERSION}: refused."
        )


def _files(root: Path) -> dict[str, Path]:
    """Zip name -> file under ``root``, without bytecode and console scripts."""
    found = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        skipped = SKIPPED_PARTS.intersection(relative.parts) or path.suffix == ".pyc"
        if path.is_file() and not skipped:
            found[relative.as_posix()] = path
    return found


def write_zip(plugins: Path, site: Path, target: Path) -> int:
    """Zip ``plugins/airloom`` as ``airloom/`` and the installed requirements at the root.

    :returns: the number of entries.
    """
    entries = {f"airloom/{name}": path for name, path in _files(plugins / "airloom").items()}
    installed = _files(site)
    clashes = sorted(name for name in installed if name.split("/")[0] == "airloom")
    if clashes:
        raise click.ClickException(
            f"a requirement installs files under airloom/ ({clashes[0]}): it would shadow "
            "Airloom's own package."
        )
    entries.update(installed)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = FILE_MODE
            archive.writestr(info, entries[name].read_bytes())
    return len(entries)


def build_code_package(
    project: Project, output: Path, requirements: str | None = None, echo=click.echo
) -> CodePackage:
    """Build the code package at ``output`` (replaced only once the new one is complete).

    :param requirements: the pins to install; default: from ``uv.lock``
        (:func:`code_package_requirements`).
    """
    if not (project.plugins / "airloom" / "__init__.py").is_file():
        raise click.ClickException(f"{project.plugins / 'airloom'} is not the airloom package.")
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    pins = requirements if requirements is not None else code_package_requirements(project.root)
    with tempfile.TemporaryDirectory(prefix=".airloom-code-", dir=output.parent) as scratch:
        work = Path(scratch)
        (work / "requirements.txt").write_text(pins)
        count = len([line for line in pins.splitlines() if line.strip()])
        echo(f"Installing {count} pinned requirement(s) for Python {PYTHON_VERSION} ...")
        buildable = sdist_only(project.lock_file, pins)
        install_for_service(project.root, work / "requirements.txt", work / "site", buildable)
        staged = work / output.name
        entries = write_zip(project.plugins, work / "site", staged)
        os.replace(staged, output)
    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    return CodePackage(path=output, sha256=digest, entries=entries)


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key); a clear error for anything else."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not bucket or not key or key.endswith("/"):
        raise click.BadParameter(f"{uri!r} is not s3://bucket/key (an object, not a prefix).")
    return bucket, key


def upload_code_package(path: Path, uri: str, endpoint_url: str | None = None) -> str:
    """Upload the package to ``uri`` in a versioned bucket and return the new object's version.

    MWAA Serverless copies the code package at the version ``CreateWorkflow`` names, so the
    bucket must keep versions; an unversioned bucket is refused before anything is uploaded.
    """
    bucket, key = parse_s3_uri(uri)
    s3 = boto3.client("s3", endpoint_url=endpoint_url)
    try:
        status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
        if status != "Enabled":
            raise click.ClickException(
                f"bucket {bucket} does not keep versions (versioning {status or 'never enabled'}): "
                "workflows name the code package by version; nothing was uploaded."
            )
        with path.open("rb") as body:
            response = s3.put_object(Bucket=bucket, Key=key, Body=body)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise click.ClickException(
            f"uploading to {uri} failed: {error.get('Code')}: {error.get('Message')}"
        ) from exc
    except BotoCoreError as exc:
        raise click.ClickException(f"uploading to {uri} failed: {exc}") from exc
    version = response.get("VersionId")
    if not version:
        raise click.ClickException(f"S3 returned no version for {uri}: is versioning enabled?")
    return version


@click.command("code-package")
@click.option(
    "--out",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Where to write the zip (default: <project>/{DEFAULT_OUTPUT}).",
)
@click.option(
    "--requirements",
    "requirements_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Pinned requirements to install instead of those derived from uv.lock.",
)
@click.option("--upload", "upload_uri", default=None, help="s3://bucket/key to upload it to.")
@click.option(
    "--endpoint-url", default=None, help="S3 endpoint (default: AWS's, or $AWS_ENDPOINT_URL_S3)."
)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Airloom checkout (default: the one around the current directory).",
)
def code_package(
    output: Path | None,
    requirements_file: Path | None,
    upload_uri: str | None,
    endpoint_url: str | None,
    project_dir: Path | None,
) -> None:
    """Build the Airloom code package for MWAA Serverless; optionally upload it."""
    if upload_uri is not None:
        parse_s3_uri(upload_uri)  # refuse a bad URI before a long build
    project = find_project(project_dir)
    requirements = requirements_file.read_text() if requirements_file else None
    package = build_code_package(project, output or project.root / DEFAULT_OUTPUT, requirements)
    click.echo(f"{package.path} ({package.entries} files, sha256 {package.sha256})")
    if upload_uri is not None:
        version = upload_code_package(package.path, upload_uri, endpoint_url)
        click.echo(f"uploaded {upload_uri} version {version}")
