"""Alembic environment: runs migrations on the engine the marketplace hands over."""

from __future__ import annotations

from alembic import context

from marketplace.models import Base
from marketplace.search.fulltext import not_fulltext_object

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=not_fulltext_object,
    )
    with context.begin_transaction():
        context.run_migrations()
