"""Operate the builder's store: ``python -m workflow_builder_api migrate | create-token``."""

from __future__ import annotations

import click

from workflow_builder_api.core.config import get_settings
from workflow_builder_api.core.db import MIGRATIONS, make_engine, session_factory, transaction
from workflow_builder_api.services.auth import Role, create_token
from workflow_builder_api.services.errors import UserError


@click.group(help="The workflow builder's store (AIRLOOM_BUILDER_DATABASE_URL).")
def cli() -> None:
    pass


@cli.command("migrate", help="Bring the store's schema to the newest migration.")
def migrate_command() -> None:
    MIGRATIONS.upgrade(make_engine(get_settings().database_url))
    click.echo("store migrated")


@cli.command("create-token", help="Create an API token and print it (shown only once).")
@click.option("--tenant", required=True, help="Tenant the token acts for.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.name.lower() for role in Role]),
    help="viewer reads; editor designs, publishes and runs; admin also deletes and manages tokens.",
)
@click.option("--name", default=None, help="Who or what uses the token (recorded on versions).")
def create_token_command(tenant: str, role: str, name: str | None) -> None:
    engine = make_engine(get_settings().database_url)
    MIGRATIONS.upgrade(engine)
    try:
        with transaction(session_factory(engine)) as session:
            token = create_token(session, tenant=tenant, role=role, name=name or f"{tenant}-{role}")
    except UserError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(token)
