"""A service's Alembic migrations, configured in code and run the same way by every service:
in its FastAPI lifespan, before it serves, and from its ``migrate`` command.

The ``env.py`` of each migrations folder runs on the connection handed over in
``config.attributes["connection"]``, inside the transaction this module opens, so one upgrade
is all or nothing on PostgreSQL, and SQLite sees the same engine settings as the app.

Each service keeps its history in a version table of its own, so services can share one
database (on AWS the builder and the marketplace do): in Alembic's default table, one service
would read the other's revision ("0002") as its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect

log = structlog.get_logger()

LEGACY_VERSION_TABLE = "alembic_version"  # where every service kept its history before


@dataclass(frozen=True)
class Upgrade:
    """Where the schema was and is: equal when it was already current."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class Migrations:
    """One service's migrations folder, named as Alembic's ``package:folder``.

    :param version_table: where this service's revision is kept.
    :param own_table: a table only this service's first migration creates: a history in the
        legacy table is taken as this service's only where it exists.
    """

    script_location: str
    version_table: str
    own_table: str

    def config(self, connection: Connection | None = None) -> Config:
        config = Config()
        config.set_main_option("script_location", self.script_location)
        config.attributes["version_table"] = self.version_table
        if connection is not None:
            config.attributes["connection"] = connection
        return config

    def head(self) -> str | None:
        return ScriptDirectory.from_config(self.config()).get_current_head()

    def current(self, engine: Engine) -> str | None:
        with engine.connect() as connection:
            return self._context(connection).get_current_revision()

    def _context(self, connection: Connection) -> MigrationContext:
        return MigrationContext.configure(connection, opts={"version_table": self.version_table})

    def adopt_legacy_history(self, engine: Engine) -> None:
        """A database from before version tables were per service: carry this service's
        revision over from Alembic's default table (left as it is, for any other service)."""
        with engine.begin() as connection:
            tables = set(inspect(connection).get_table_names())
            if self.version_table in tables or not {LEGACY_VERSION_TABLE, self.own_table} <= tables:
                return
            legacy = MigrationContext.configure(connection).get_current_revision()
            if legacy is not None:
                script = ScriptDirectory.from_config(self.config())
                self._context(connection).stamp(script, legacy)
                log.info("database history carried over", revision=legacy, table=self.version_table)

    def upgrade(self, engine: Engine, revision: str = "head") -> Upgrade:
        """Bring the schema to ``revision``; a database already there is not written to."""
        self.adopt_legacy_history(engine)
        before = self.current(engine)
        target = self.head() if revision == "head" else revision
        if before == target:
            log.info("database schema is current", revision=before)
            return Upgrade(before, before)
        with engine.begin() as connection:
            command.upgrade(self.config(connection), revision)
        done = Upgrade(before, self.current(engine))
        log.info("database migrated", before=done.before, after=done.after)
        return done

    def downgrade(self, engine: Engine, revision: str) -> None:
        with engine.begin() as connection:
            command.downgrade(self.config(connection), revision)


def run_on_handed_connection(target_metadata: MetaData, **options: Any) -> None:
    """The body of a service's ``env.py``: migrate on the connection :class:`Migrations`
    handed over, within its transaction.

    :param options: more of ``context.configure``'s options (``include_name`` …).
    """
    from alembic import context

    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=context.config.attributes["version_table"],
        **options,
    )
    with context.begin_transaction():
        context.run_migrations()
