"""Services sharing one database (the builder and the marketplace do on AWS) each keep their
own migration history, and a database from before per-service histories keeps its own."""

from __future__ import annotations

from sqlalchemy import inspect, text

from marketplace.core.db import MIGRATIONS as MARKETPLACE_MIGRATIONS
from servicekit.database import make_engine
from servicekit.migrations import LEGACY_VERSION_TABLE, Migrations
from workflow_builder_api.core.db import MIGRATIONS as BUILDER_MIGRATIONS

# Insights has a database of its own (its api_tokens table is named as the builder's).
SHARING = (MARKETPLACE_MIGRATIONS, BUILDER_MIGRATIONS)


def test_services_sharing_a_database_each_reach_their_own_head(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        # Their revisions share names ("0001", "0002"): one history would be read as the other's.
        for migrations in SHARING:
            migrations.upgrade(engine)
        for migrations in SHARING:
            assert migrations.current(engine) == migrations.head()
            assert not migrations.upgrade(engine).changed  # and again: nothing left to do
        tables = set(inspect(engine).get_table_names())
        assert {"workflows", "listings"} <= tables
    finally:
        engine.dispose()


def test_a_database_from_before_keeps_its_history(database_url: str) -> None:
    engine = make_engine(database_url)
    legacy = Migrations(
        MARKETPLACE_MIGRATIONS.script_location,
        version_table=LEGACY_VERSION_TABLE,
        own_table=MARKETPLACE_MIGRATIONS.own_table,
    )
    try:
        legacy.upgrade(engine, "0001")  # as an older marketplace left it
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO api_keys (key_hash, prefix, name, tenant, tier, created_at) "
                    "VALUES ('h', 'alm_', 'ci', 'acme', 'pro', CURRENT_TIMESTAMP)"
                )
            )

        done = MARKETPLACE_MIGRATIONS.upgrade(engine)

        assert (done.before, done.after) == ("0001", MARKETPLACE_MIGRATIONS.head())
        with engine.connect() as connection:
            tenants = connection.execute(text("SELECT tenant FROM api_keys")).scalars().all()
        assert tenants == ["acme"]
        # Another service on this database does not take the marketplace's history for its own.
        assert BUILDER_MIGRATIONS.upgrade(engine).before is None
    finally:
        engine.dispose()
