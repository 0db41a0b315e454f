"""A marketplace app per test module: a fresh SQLite database, the session's real MLflow."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from marketplace.access import create_key
from marketplace.core.config import Settings
from marketplace.main import create_app


@dataclass
class Marketplace:
    app: FastAPI
    client: TestClient
    settings: Settings

    def key(self, tenant: str, tier: str = "pro") -> dict[str, str]:
        """Headers carrying a new API key of ``tenant`` and ``tier``."""
        with self.app.state.session_factory() as session:
            new = create_key(session, tenant, tier, name="test")
            session.commit()
        return {"X-API-Key": new.key}

    def sync(self) -> None:
        """One catalog cycle now, instead of waiting for the background task."""
        self.app.state.catalog_sync.run_once()


@contextlib.contextmanager
def open_marketplace(database_url: str, mlflow_url: str, **overrides: Any) -> Iterator[Marketplace]:
    """The app on its own database, started (migrations, lifespan) and stopped around a block."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "mlflow_tracking_uri": mlflow_url,
        "sync_seconds": 0.5,
        "log_level": "WARNING",
    }
    settings = Settings(**(values | overrides))
    app = create_app(settings)
    with TestClient(app) as client:
        yield Marketplace(app=app, client=client, settings=settings)


@pytest.fixture(scope="module")
def marketplace(mlflow, tmp_path_factory) -> Iterator[Marketplace]:
    database = tmp_path_factory.mktemp("marketplace") / "marketplace.db"
    with open_marketplace(f"sqlite:///{database}", mlflow.url) as app:
        yield app


def eventually(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.25) -> Any:
    """Poll ``check`` until it returns something truthy (the catalog syncs in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def fresh_postgres_database(server_url: str) -> str:
    """An empty database on the PostgreSQL server of AIRLOOM_TEST_POSTGRES_URL; its URL."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"airloom_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
