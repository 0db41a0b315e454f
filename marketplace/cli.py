"""Administer the marketplace: ``python -m marketplace.cli create-key --tenant acme --tier pro``.

Also available as ``airloom marketplace …``. Uses ``AIRLOOM_MARKETPLACE_DATABASE_URL``.
"""

from __future__ import annotations

import click
from sqlalchemy import select

from marketplace.core.config import TIERS, get_settings


def _session_factory():  # type: ignore[no-untyped-def]
    from marketplace.core.db import MIGRATIONS, make_engine, session_factory

    engine = make_engine(get_settings().database_url)
    MIGRATIONS.upgrade(engine)
    return session_factory(engine)


@click.group(name="marketplace")
def marketplace() -> None:
    """Administer the model marketplace (API keys, database, catalog)."""


@marketplace.command()
def migrate() -> None:
    """Bring the database schema up to date (alembic upgrade head)."""
    _session_factory()
    click.echo("marketplace database is at the latest revision")


@marketplace.command("create-key")
@click.option("--tenant", required=True, help="Tenant whose models the key may see")
@click.option("--tier", type=click.Choice(TIERS), default="free", show_default=True)
@click.option("--name", default="", help="What the key is for")
def create_key_command(tenant: str, tier: str, name: str) -> None:
    """Create an API key and print it once (only its sha256 is stored)."""
    from marketplace.access import create_key
    from marketplace.errors import MarketplaceError

    with _session_factory()() as session:
        try:
            new = create_key(session, tenant, tier, name)
        except MarketplaceError as exc:
            raise click.ClickException(exc.message) from exc
        session.commit()
    click.echo(new.key)


@marketplace.command("list-keys")
def list_keys() -> None:
    """Show every key's prefix, tenant, tier and state (never the key itself)."""
    from marketplace.models import ApiKey

    with _session_factory()() as session:
        for row in session.scalars(select(ApiKey).order_by(ApiKey.created_at)):
            state = "revoked" if row.revoked_at else "active"
            click.echo(f"{row.prefix}…  {row.tenant:<20} {row.tier:<11} {state:<8} {row.name}")


@marketplace.command("revoke-key")
@click.argument("prefix")
def revoke_key_command(prefix: str) -> None:
    """Revoke the key(s) starting with PREFIX (the 12 characters `list-keys` shows)."""
    from marketplace.access import revoke_key

    with _session_factory()() as session:
        count = revoke_key(session, prefix)
        session.commit()
    if not count:
        raise click.ClickException(f"no active key with prefix {prefix!r}")
    click.echo(f"revoked {count} key(s)")


@marketplace.command()
def sync() -> None:
    """Mirror MLflow's registry into the catalog once, now."""
    from marketplace.catalog.registry import MlflowRegistry
    from marketplace.catalog.sync import CatalogSync

    settings = get_settings()
    stats = CatalogSync(_session_factory(), MlflowRegistry(settings.mlflow_tracking_uri)).run_once(
        full=True
    )
    click.echo(f"{stats.listed} model(s) listed, {stats.changed} updated, {stats.removed} removed")


if __name__ == "__main__":
    marketplace()
