"""A small GraphQL client over FastAPI's TestClient, and the builder under test."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workflow_builder_api.app import create_app, create_runtime
from workflow_builder_api.core.config import Settings
from workflow_builder_api.core.db import transaction
from workflow_builder_api.graphql.context import Runtime
from workflow_builder_api.services.auth import create_token


@dataclass
class Api:
    """Calls ``/graphql`` with one bearer token."""

    client: TestClient
    token: str | None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self.headers()
        )
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        body = self.call(query, **variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def error(self, query: str, **variables: Any) -> dict[str, Any]:
        """The one error the operation answers with."""
        body = self.call(query, **variables)
        assert body.get("errors"), f"expected an error, got {body}"
        return body["errors"][0]


@dataclass
class Tenant:
    name: str
    admin: Api
    editor: Api
    viewer: Api


@dataclass
class Builder:
    client: TestClient
    runtime: Runtime
    dags_folder: Path

    def tenant(self) -> Tenant:
        """A fresh tenant with one token per role, so tests never see each other's data."""
        name = f"t{uuid.uuid4().hex[:12]}"
        tokens = {}
        with transaction(self.runtime.sessions) as session:
            for role in ("admin", "editor", "viewer"):
                tokens[role] = create_token(session, tenant=name, role=role, name=f"{name}-{role}")
        return Tenant(name, *(Api(self.client, tokens[role]) for role in tokens))

    def anonymous(self) -> Api:
        return Api(self.client, None)


@contextmanager
def running_builder(settings: Settings, **runtime_options: Any) -> Iterator[Builder]:
    runtime = create_runtime(settings, **runtime_options)
    with TestClient(create_app(runtime=runtime)) as client:
        yield Builder(client, runtime, Path(settings.dags_folder))
    runtime.sessions.kw["bind"].dispose()


@contextmanager
def fresh_database(backend: str, folder: Path, postgres_url: str | None) -> Iterator[str]:
    """An empty database: a SQLite file, or a new database on the test PostgreSQL server."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'builder.db'}"
        return
    assert postgres_url, "AIRLOOM_TEST_POSTGRES_URL is not set"
    server = make_url(postgres_url)
    name = f"builder_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def write_template(folder: Path, template_id: str, spec: dict[str, Any], **fields: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "id": template_id,
        "title": fields.get("title", template_id.replace("_", " ").title()),
        "industry": fields.get("industry", "testing"),
        "description": fields.get("description", "A template written by the tests."),
        "spec": spec,
    }
    path = folder / f"{template_id}.json"
    path.write_text(json.dumps(document))
    return path


def subscribe(
    client: TestClient, token: str | None, query: str, variables: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Each ``next`` payload of a graphql-transport-ws subscription, until it completes.

    The token goes in the connection_init payload, as a browser client sends it.
    """
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        )
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
        while True:
            message = socket.receive_json()
            if message["type"] == "next":
                yield message["payload"]
            elif message["type"] == "error":
                yield {"errors": message["payload"]}
                return
            elif message["type"] == "complete":
                return
