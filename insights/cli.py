"""Administer and run insights: ``python -m insights.cli create-token --tenant acme``.

Uses ``AIRLOOM_INSIGHTS_*`` (the database, the port ``serve`` listens on).
"""

from __future__ import annotations

import click

from insights.core.config import ROLES, get_settings


def _session_factory():  # type: ignore[no-untyped-def]
    from insights.core.db import MIGRATIONS, make_engine, session_factory

    engine = make_engine(get_settings().database_url)
    MIGRATIONS.upgrade(engine)
    return session_factory(engine)


@click.group(name="insights")
def insights() -> None:
    """Administer the insights service (database, API tokens) or serve it."""


@insights.command()
def migrate() -> None:
    """Bring the database schema up to date (alembic upgrade head)."""
    _session_factory()
    click.echo("insights database is at the latest revision")


@insights.command("create-token")
@click.option("--tenant", required=True, help="Tenant whose figures the token reads")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--name", default="", help="What the token is for (default: <tenant>-<role>)")
def create_token_command(tenant: str, role: str, name: str) -> None:
    """Create an API token and print it once (only its sha256 is stored)."""
    from airloom.tenancy import TENANT_PATTERN
    from insights.access import create_token

    if not TENANT_PATTERN.fullmatch(tenant):
        raise click.BadParameter(f"{tenant!r} is not a tenant name", param_hint="--tenant")
    with _session_factory()() as session:
        token = create_token(session, tenant=tenant, role=role, name=name or f"{tenant}-{role}")
        session.commit()
    click.echo(token)


@insights.command()
@click.option("--host", default="0.0.0.0", show_default=True)  # a container: every interface
def serve(host: str) -> None:
    """Serve the API on AIRLOOM_INSIGHTS_PORT, with the activity consumer."""
    import uvicorn

    uvicorn.run("insights.app:create_app", factory=True, host=host, port=get_settings().port)


if __name__ == "__main__":
    insights()
