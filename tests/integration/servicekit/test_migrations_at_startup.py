"""Both services migrate their database in the FastAPI lifespan with servicekit's runner: an
app started on an empty database serves only once its schema is current, and a database
already current is left alone."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import event, inspect

from servicekit.database import make_engine
from tests.harness.asgi_server import serve_app
from tests.integration.servicekit.services import Service

SECRET = "a-bootstrap-secret-of-acme"
WRITES = re.compile(r"^\s*(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def test_an_app_started_on_an_empty_database_migrates_it_before_serving(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    app = service.app(database_url, tmp_path, [{"secret": SECRET, "tenant": "acme"}])
    engine = make_engine(database_url)
    try:
        # Building the app does not touch the database: its lifespan does.
        assert service.migrations.current(engine) is None
        assert not service.tables & set(inspect(engine).get_table_names())

        with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as client:
            # The first request the server accepts finds the schema current and the
            # bootstrap secret, created after the migration, in it.
            assert service.tenant_of(client, SECRET) == "acme"
            assert service.migrations.current(engine) == service.migrations.head()
            assert service.tables <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_database_already_current_is_left_alone(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    secrets = [{"secret": SECRET, "tenant": "acme"}]
    with TestClient(service.app(database_url, tmp_path, secrets)):
        pass  # the first start migrates and seeds

    again = service.app(database_url, tmp_path, secrets)
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(service.engine(again), "before_cursor_execute", record)
    with TestClient(again) as client:
        assert service.tenant_of(client, SECRET) == "acme"
    assert statements, "the second start read nothing: the check did not run"
    assert [s for s in statements if WRITES.match(s)] == []
    assert service.migrations.current(service.engine(again)) == service.migrations.head()
