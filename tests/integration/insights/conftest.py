"""An insights app per test module: its own activity topic on the session's real broker, its
own lake folder and database, and the activity consumer running as in production."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from insights.access import create_token
from insights.app import create_app
from insights.core.config import Settings
from tests.harness.kafka_topics import new_topic, publish

AUTH_SECRET = "insights-test-secret-of-at-least-32-characters"


def event(kind: str, tenant: str, at: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """An activity event in the contract's shape (docs/insights.md)."""
    source = {"invocation": "serving", "api_call": "marketplace", "deployment": "marketplace"}
    return {
        "event_id": str(uuid.uuid4()),
        "tenant": tenant,
        "kind": kind,
        "at": (at or datetime.now(UTC)).isoformat(),
        "source": source.get(kind, "airflow"),
        **fields,
    }


@dataclass
class Insights:
    app: FastAPI
    client: TestClient
    settings: Settings
    bootstrap: str

    def headers(self, tenant: str, role: str = "editor") -> dict[str, str]:
        """A new API token of ``tenant`` with ``role``, as request headers."""
        with self.app.state.session_factory() as session:
            token = create_token(session, tenant=tenant, role=role, name=f"{tenant}-{role}")
            session.commit()
        return {"Authorization": f"Bearer {token}"}

    def send(self, *events: dict[str, Any]) -> None:
        """Publish events on this app's activity topic, as the producers do."""
        publish(
            self.bootstrap, self.settings.activity_topic, [json.dumps(e).encode() for e in events]
        )


def eventually(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.2) -> Any:
    """Poll ``check`` until it returns something truthy; the consumer lands in the background."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last: {result!r})")
        time.sleep(interval)


def insights_settings(bootstrap: str, lake: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "lake_uri": lake.as_uri(),
        "kafka_bootstrap_servers": bootstrap,
        "activity_topic": new_topic(bootstrap, "airloom.activity-test"),
        "consumer_group": f"insights-test-{uuid.uuid4().hex[:8]}",
        "consume_batch_seconds": 0.5,
        "consume_idle_seconds": 0.2,
        "log_level": "WARNING",
        "identity": {"secret": AUTH_SECRET},
    }
    return Settings(**(values | overrides))


@contextlib.contextmanager
def open_insights(settings: Settings) -> Iterator[Insights]:
    """The app started (migrations, consumer) and stopped around a block."""
    app = create_app(settings)
    with TestClient(app) as client:
        yield Insights(app, client, settings, settings.kafka_bootstrap_servers)


@pytest.fixture(scope="module")
def insights(broker, tmp_path_factory) -> Iterator[Insights]:
    folder = tmp_path_factory.mktemp("insights")
    settings = insights_settings(broker.url, folder / "lake", f"sqlite:///{folder / 'insights.db'}")
    with open_insights(settings) as running:
        yield running
