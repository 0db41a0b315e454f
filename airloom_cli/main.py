"""The `airloom` command."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys

import click

from airloom.spark.java import JavaNotFoundError, require_java
from airloom.tenancy import TENANT_PATTERN
from airloom_cli.aws.code_package import code_package
from airloom_cli.aws.deploy import deploy
from airloom_cli.aws.glue_code import glue_code
from airloom_cli.aws.package import package
from airloom_cli.aws.terraform import terraform
from airloom_cli.aws.training_image import training_image
from airloom_cli.demo.publish import LOADERS, Destination
from airloom_cli.stack.launcher import GIT_MISSING, Stack, StackError
from airloom_cli.stack.settings import StackSettings
from insights.cli import insights
from marketplace.cli import marketplace


def _stack() -> Stack:
    return Stack(echo=click.echo)


@click.group()
def cli() -> None:
    """Airloom: AI workflows on Apache Airflow 3."""


@cli.command()
def doctor() -> None:
    """Check that this machine has what the local stack needs (Java for Spark, git for the
    versioned bundle of published workflows)."""
    try:
        java = require_java()
    except JavaNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    if shutil.which("git") is None:
        raise click.ClickException(GIT_MISSING)
    click.echo(f"Python {sys.version.split()[0]}, Java {java}, git: ready.")


@cli.command()
def up() -> None:
    """Start the local stack on loopback and wait until every service is healthy."""
    try:
        _stack().up()
    except StackError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command()
def down() -> None:
    """Stop the processes `airloom up` started; data stays in the state folder."""
    _stack().down()


@cli.command()
def status() -> None:
    """Show each service, its process and its health."""
    statuses = _stack().status()
    for item in statuses:
        pid = str(item.record.pid) if item.running and item.record else "-"
        state = ("healthy" if item.healthy else "unhealthy") if item.running else "stopped"
        click.echo(f"{item.service.name:<22} {state:<10} pid {pid:<8} {item.detail}")
    if not all(item.healthy for item in statuses):
        sys.exit(1)


@cli.command("demo-data")
@click.option(
    "--only",
    type=click.Choice(sorted(LOADERS)),
    multiple=True,
    help="Load just these data sets (default: all).",
)
@click.option("--customers", default=500, show_default=True, help="Customers in the churn data.")
@click.option(
    "--tenant",
    default=None,
    help="Load it for this tenant's workflows (its topics and area of the lake) instead of "
    "for the built-in DAGs.",
)
def demo_data(only: tuple[str, ...], customers: int, tenant: str | None) -> None:
    """Publish realistic demo data into the running local stack."""
    if tenant is not None and not TENANT_PATTERN.fullmatch(tenant):
        raise click.BadParameter(f"{tenant!r} is not a tenant name", param_hint="--tenant")
    to = Destination(StackSettings(), tenant)
    for name in only or sorted(LOADERS):
        try:
            loaded = LOADERS[name](to, customers)
        except Exception as exc:
            raise click.ClickException(
                f"could not load the {name} demo data: {exc}. Is the stack up (`airloom status`)?"
            ) from exc
        click.echo(f"{name}: {loaded.count} {loaded.what} → {loaded.where}")


@cli.command()
@click.argument("service")
@click.option("-n", "--lines", default=50, show_default=True, help="Lines to show.")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines.")
def logs(service: str, lines: int, follow: bool) -> None:
    """Show the log of SERVICE (e.g. mlflow, airflow-scheduler, marketplace)."""
    stack = _stack()
    if service != "airflow-init":  # the one-shot database step has a log but is no service
        try:
            stack.service(service)
        except StackError as exc:
            raise click.ClickException(str(exc)) from exc
    log_file = stack.log_file(service)
    if not log_file.exists():
        raise click.ClickException(f"{service} has no log yet ({log_file}); run `airloom up`.")
    command = ["tail", "-n", str(lines), *(["-F"] if follow else []), str(log_file)]
    with contextlib.suppress(KeyboardInterrupt):
        subprocess.run(command, check=False)


cli.add_command(package)
cli.add_command(deploy)
cli.add_command(code_package)
cli.add_command(glue_code)
cli.add_command(training_image)
cli.add_command(terraform)
cli.add_command(marketplace)
cli.add_command(insights)


if __name__ == "__main__":
    cli()
