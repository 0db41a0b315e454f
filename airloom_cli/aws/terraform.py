"""``airloom terraform check``: ``terraform fmt -check``, then offline ``init`` and ``validate``.

``test_module`` runs a module's ``terraform test`` files the same way (mocked provider, plan only).

No network: the hashicorp/aws provider comes from a filesystem mirror found on this machine
(``$AIRLOOM_TF_PLUGIN_MIRROR``, or the usual plugin folders), through a throwaway
``TF_CLI_CONFIG_FILE``. Each environment is validated in a temporary copy of ``terraform/``, so
``.terraform/`` and lock files never land in the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from airloom_cli.aws.project import Project, find_project

AWS_PROVIDER = Path("registry.terraform.io") / "hashicorp" / "aws"
MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "/opt/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
)


@dataclass(frozen=True)
class StepResult:
    """One terraform command's outcome."""

    name: str
    ok: bool
    output: str


def find_terraform() -> str | None:
    """The terraform binary: ``$AIRLOOM_TERRAFORM`` or ``terraform`` on PATH."""
    return os.environ.get("AIRLOOM_TERRAFORM") or shutil.which("terraform")


def find_provider_mirror() -> Path | None:
    """A folder holding ``registry.terraform.io/hashicorp/aws``, or None."""
    explicit = os.environ.get("AIRLOOM_TF_PLUGIN_MIRROR")
    candidates = [Path(explicit)] if explicit else []
    candidates += [Path(path).expanduser() for path in MIRROR_CANDIDATES]
    # Images put mirrors in differently named folders under /opt; look one level down too.
    opt = Path("/opt")
    if opt.is_dir():
        candidates += sorted(child for child in opt.iterdir() if child.is_dir())
    for candidate in candidates:
        if (candidate / AWS_PROVIDER).is_dir():
            return candidate
    return None


def environment_names(project: Project) -> list[str]:
    folder = project.terraform / "environments"
    return sorted(path.name for path in folder.iterdir() if (path / "main.tf").is_file())


def modules_with_tests(project: Project) -> list[str]:
    """Modules under ``terraform/modules`` with ``tests/*.tftest.hcl`` files."""
    folder = project.terraform / "modules"
    return sorted({path.parent.parent.name for path in folder.glob("*/tests/*.tftest.hcl")})


def resolve_environments(project: Project, names: tuple[str, ...]) -> list[str]:
    """Check the names against ``terraform/environments`` (all of them when none given)."""
    known = environment_names(project)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise click.ClickException(
            f"unknown environment {', '.join(map(repr, unknown))}: choose from {', '.join(known)}."
        )
    return list(names) or known


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[bool, str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def fmt_check(project: Project, terraform: str) -> StepResult:
    ok, output = _run(
        [terraform, "fmt", "-check", "-recursive", "-diff", "-no-color"],
        project.terraform,
        {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull},
    )
    return StepResult("terraform fmt -check", ok, output)


def _offline_copy(project: Project, scratch: str, mirror: Path) -> tuple[Path, dict[str, str]]:
    """A copy of ``terraform/`` in ``scratch``, and an environment installing from ``mirror``."""
    work = Path(scratch) / "terraform"
    shutil.copytree(
        project.terraform, work, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*")
    )
    config = Path(scratch) / "terraform.rc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
    )
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(config),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }
    return work, env


def _init_then(
    folder: Path, env: dict[str, str], terraform: str, command: list[str]
) -> tuple[bool, str]:
    ok, output = _run(
        [terraform, "init", "-backend=false", "-input=false", "-no-color"], folder, env
    )
    if ok:
        ok, output = _run([terraform, *command, "-no-color"], folder, env)
    return ok, output


def validate_environment(project: Project, name: str, terraform: str, mirror: Path) -> StepResult:
    """``init -backend=false`` and ``validate`` one environment, offline, in a temp copy."""
    with tempfile.TemporaryDirectory(prefix=f"airloom-tf-{name}-") as scratch:
        work, env = _offline_copy(project, scratch, mirror)
        ok, output = _init_then(work / "environments" / name, env, terraform, ["validate"])
    return StepResult(f"terraform validate ({name})", ok, output)


def test_module(project: Project, name: str, terraform: str, mirror: Path) -> StepResult:
    """``terraform test`` of ``terraform/modules/<name>`` (its ``tests/*.tftest.hcl``), offline.

    The tests plan against a mocked provider (``mock_provider``), so no AWS account is needed;
    the provider's schema still comes from the mirror.
    """
    with tempfile.TemporaryDirectory(prefix=f"airloom-tf-test-{name}-") as scratch:
        work, env = _offline_copy(project, scratch, mirror)
        ok, output = _init_then(work / "modules" / name, env, terraform, ["test"])
    return StepResult(f"terraform test ({name})", ok, output)


@click.group()
def terraform() -> None:
    """Check the Terraform in terraform/ without touching AWS."""


@terraform.command()
@click.argument("environments", nargs=-1)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Airloom checkout (default: the one around the current directory).",
)
def check(environments: tuple[str, ...], project_dir: Path | None) -> None:
    """fmt -check, offline init and validate for ENVIRONMENTS (default: all), module tests."""
    project = find_project(project_dir)
    names = resolve_environments(project, environments)
    binary = find_terraform()
    if binary is None:
        raise click.ClickException("terraform is not installed (or set AIRLOOM_TERRAFORM).")
    mirror = find_provider_mirror()
    if mirror is None:
        raise click.ClickException(
            "no hashicorp/aws provider mirror found; set AIRLOOM_TF_PLUGIN_MIRROR to a folder "
            "holding registry.terraform.io/hashicorp/aws."
        )
    steps = [fmt_check(project, binary)]
    steps += [validate_environment(project, name, binary, mirror) for name in names]
    steps += [test_module(project, name, binary, mirror) for name in modules_with_tests(project)]
    for step in steps:
        click.echo(f"{'ok  ' if step.ok else 'FAIL'} {step.name}")
        if not step.ok:
            click.echo(step.output)
    if not all(step.ok for step in steps):
        raise SystemExit(1)
