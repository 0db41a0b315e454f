"""``airloom training-image``: the Docker build context of Airloom's SageMaker training image.

On MWAA Serverless, ``train`` and ``train_embedder`` nodes run as SageMaker training jobs whose
container runs ``python -m airloom.ml.sagemaker_job`` (:data:`airloom.ml.sagemaker_job.
ENTRYPOINT`). That module imports the nodes' own params models, and so ``airflow.sdk``: unlike
the code package, the image must hold Apache Airflow and the providers, which the service's
workers provide and the code package leaves out. So the image's pins are the code package's
pins plus those (:func:`training_image_requirements`), at ``uv.lock``'s versions.

The context is what ``docker build`` needs and nothing it must fetch: a ``Dockerfile`` on the
official slim Python image, ``requirements.txt`` and ``wheels/`` (``uv.lock``'s own wheel for
each pin, checked against the lock's sha256; pure-Python packages the lock has only as sdists
built here; Airloom's package as a wheel), installed with ``pip --no-index``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.request
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import click
from packaging.markers import Marker, default_environment
from packaging.tags import Tag, compatible_tags, cpython_tags, sys_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from airloom_cli.aws.code_package import (
    FILE_MODE,
    NOT_FOR_MWAA_SERVERLESS,
    PYTHON_VERSION,
    ZIP_DATE,
    _files,
    sdist_only,
)
from airloom_cli.aws.project import Project, find_project
from airloom_cli.aws.requirements import export_pins, find_uv

DEFAULT_OUTPUT = Path("dist") / "training-image"
#: Where downloaded wheels are kept between builds, by their sha256 (checked on every use).
CACHE_VARIABLE = "AIRLOOM_WHEEL_CACHE"
#: The official image's Debian 12 (glibc 2.36): every manylinux_2_28 wheel runs on it.
BASE_IMAGE = "python:{version}-slim-bookworm"


@dataclass(frozen=True)
class WheelTarget:
    """The interpreter the wheels are for: its version, tags (best first) and markers."""

    python_version: str
    tags: tuple[Tag, ...]
    environment: dict[str, str] = field(hash=False)

    @classmethod
    def service(cls) -> WheelTarget:
        """CPython 3.12 on x86_64 manylinux_2_28, as the code package targets."""
        major, minor = (int(part) for part in PYTHON_VERSION.split("."))
        platforms = [f"manylinux_2_{glibc}_x86_64" for glibc in range(28, 4, -1)]
        platforms += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
        tags = (
            *cpython_tags((major, minor), platforms=platforms),
            *compatible_tags((major, minor), f"cp{major}{minor}", platforms=platforms),
        )
        environment = {
            **default_environment(),
            "python_version": PYTHON_VERSION,
            "python_full_version": f"{PYTHON_VERSION}.0",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "sys_platform": "linux",
            "platform_system": "Linux",
            "platform_machine": "x86_64",
            "os_name": "posix",
        }
        return cls(PYTHON_VERSION, tags, environment)

    @classmethod
    def this_interpreter(cls) -> WheelTarget:
        """The running interpreter (tests install the context here, without Docker)."""
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        return cls(version, tuple(sys_tags()), dict(default_environment()))


@dataclass(frozen=True)
class Artifact:
    """One file of ``uv.lock``: its URL and sha256."""

    url: str
    sha256: str

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[-1]


def training_image_requirements(project_root: Path) -> str:
    """The image's pins from ``uv.lock``: the code package's and what the service provides."""
    pins = export_pins(project_root, provided=(), not_needed=NOT_FOR_MWAA_SERVERLESS)
    return "\n".join(pins) + "\n"


def select_artifacts(
    lock_file: Path, requirements: str, target: WheelTarget
) -> tuple[dict[str, Artifact], dict[str, Artifact]]:
    """For each pin that applies to ``target``: the lock's best wheel for it, or (for the
    lock's wheel-less, pure-Python packages) its sdist.

    :returns: (wheels, sdists to build), by package name.
    :raises click.ClickException: naming each pin without a wheel for the target.
    """
    lock = tomllib.loads(lock_file.read_text())
    packages = {(canonicalize_name(p["name"]), p["version"]): p for p in lock.get("package", [])}
    rank = {tag: index for index, tag in enumerate(target.tags)}
    buildable = sdist_only(lock_file, requirements)
    wheels: dict[str, Artifact] = {}
    sdists: dict[str, Artifact] = {}
    missing = []
    for line in requirements.splitlines():
        pin, _, marker = line.partition(";")
        if "==" not in pin or (marker.strip() and not Marker(marker).evaluate(target.environment)):
            continue
        name, version = (canonicalize_name(pin.split("==")[0]), pin.split("==")[1].strip())
        package = packages.get((name, version), {})
        best = None
        for wheel in package.get("wheels", []):
            artifact = Artifact(wheel["url"], wheel["hash"].removeprefix("sha256:"))
            ranks = [rank[t] for t in parse_wheel_filename(artifact.filename)[3] if t in rank]
            if ranks and (best is None or min(ranks) < best[0]):
                best = (min(ranks), artifact)
        if best is not None:
            wheels[name] = best[1]
        elif name in buildable:
            sdist = package["sdist"]
            sdists[name] = Artifact(sdist["url"], sdist["hash"].removeprefix("sha256:"))
        else:
            missing.append(f"{name}=={version}")
    if missing:
        raise click.ClickException(
            f"no wheel in uv.lock for Python {target.python_version} ({target.tags[0]}): "
            + ", ".join(missing)
        )
    return wheels, sdists


def wheel_cache() -> Path:
    return Path(os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "airloom" / "wheels")


def fetch(artifact: Artifact, cache: Path) -> Path:
    """The artifact's file, from the cache or downloaded; its sha256 checked either way."""
    path = cache / artifact.sha256 / artifact.filename
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.part")
        with (
            urllib.request.urlopen(artifact.url, timeout=120) as response,
            partial.open("wb") as out,
        ):
            shutil.copyfileobj(response, out, 1 << 20)
        os.replace(partial, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != artifact.sha256:
        path.unlink()
        raise click.ClickException(f"{artifact.url} does not match uv.lock's sha256: refused.")
    return path


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")


def write_airloom_wheel(project: Project, folder: Path) -> tuple[str, Path]:
    """``plugins/airloom`` as a deterministic ``py3-none-any`` wheel; its version and path."""
    version = tomllib.loads((project.root / "pyproject.toml").read_text())["project"]["version"]
    info = f"airloom-{version}.dist-info"
    entries = {
        f"airloom/{name}": path.read_bytes()
        for name, path in _files(project.plugins / "airloom").items()
    }
    entries[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: airloom\nVersion: {version}\n"
    entries[f"{info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: airloom training-image\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n"
    )
    entries = {name: (d.encode() if isinstance(d, str) else d) for name, d in entries.items()}
    record = [f"{name},{_record_hash(data)},{len(data)}" for name, data in sorted(entries.items())]
    entries[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    path = folder / f"airloom-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            item = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            item.compress_type = zipfile.ZIP_DEFLATED
            item.external_attr = FILE_MODE
            archive.writestr(item, entries[name])
    return version, path


def dockerfile(target: WheelTarget) -> str:
    """The image's Dockerfile; its entry point is the job's own (one source for both)."""
    from airloom.ml.sagemaker_job import ENTRYPOINT

    return f"""\
# syntax=docker/dockerfile:1
# Airloom's SageMaker training image, generated by `airloom training-image`: do not edit.
FROM {BASE_IMAGE.format(version=target.python_version)}
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Only this context's wheels, no index: the build needs no internet. Bind-mounted, so they
# take no layer. --no-deps: requirements.txt is the whole, locked set.
RUN --mount=type=bind,target=/context \\
    python -m pip install --no-cache-dir --no-index --no-deps \\
        --find-links /context/wheels --requirement /context/requirements.txt
# Root, as SageMaker runs training containers: it mounts /opt/ml (input, model, output) for
# root, and a USER here could not write the model or the failure reason.
WORKDIR /opt/ml
# `docker run <image> train` (SageMaker's contract) and the job's ContainerEntrypoint both
# run this.
ENTRYPOINT {json.dumps(list(ENTRYPOINT))}
"""


@dataclass(frozen=True)
class TrainingImageContext:
    path: Path
    wheels: int


def build_context(
    project: Project,
    output: Path,
    requirements: str | None = None,
    target: WheelTarget | None = None,
    echo: Callable[[str], object] = click.echo,
) -> TrainingImageContext:
    """Write the build context to ``output`` (replaced only once the new one is complete)."""
    target = target or WheelTarget.service()
    pins = requirements if requirements is not None else training_image_requirements(project.root)
    wheels, sdists = select_artifacts(project.lock_file, pins, target)
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    cache = wheel_cache()
    with tempfile.TemporaryDirectory(prefix=".airloom-image-", dir=output.parent) as scratch:
        staged = Path(scratch) / "context"
        folder = staged / "wheels"
        folder.mkdir(parents=True)
        echo(f"Fetching {len(wheels) + len(sdists)} artifact(s) for Python {target.python_version}")
        with ThreadPoolExecutor(max_workers=8) as pool:
            files = list(pool.map(lambda a: fetch(a, cache), [*wheels.values()]))
            built = list(pool.map(lambda a: fetch(a, cache), [*sdists.values()]))
        for path in files:
            shutil.copyfile(path, folder / path.name)
        for sdist in built:  # pure Python: the wheel runs on any interpreter
            command = [find_uv(project.root), "build", "--wheel", "--quiet", "--out-dir"]
            result = subprocess.run(
                [*command, str(folder), str(sdist)], capture_output=True, text=True, check=False
            )
            if result.returncode != 0:
                raise click.ClickException(f"building {sdist.name} failed:\n{result.stderr}")
        version, _ = write_airloom_wheel(project, folder)
        kept = [line for line in pins.splitlines() if line.strip()]
        (staged / "requirements.txt").write_text("\n".join([*kept, f"airloom=={version}"]) + "\n")
        (staged / "Dockerfile").write_text(dockerfile(target))
        if output.exists():
            shutil.rmtree(output)
        os.replace(staged, output)
    return TrainingImageContext(output, len(list((output / "wheels").glob("*.whl"))))


@click.command("training-image")
@click.option(
    "--out",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"The build context's folder, replaced (default: <project>/{DEFAULT_OUTPUT}).",
)
@click.option(
    "--requirements",
    "requirements_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Pinned requirements to install instead of those derived from uv.lock.",
)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Airloom checkout (default: the one around the current directory).",
)
def training_image(
    output: Path | None, requirements_file: Path | None, project_dir: Path | None
) -> None:
    """Write the Docker build context of the SageMaker training image (no Docker needed)."""
    project = find_project(project_dir)
    requirements = requirements_file.read_text() if requirements_file else None
    context = build_context(project, output or project.root / DEFAULT_OUTPUT, requirements)
    click.echo(f"{context.path} ({context.wheels} wheels): docker build {context.path}")
