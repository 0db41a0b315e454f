"""Design → publish → run through the builder, as a tenant's people do it.

A tenant is made with the grants a platform admin gives it (through the builder's ``grant``
mutation); its editor creates the workflow and publishes it (validation in the tenant's scope,
compilation, DagBag import); the published DAG file is then run with ``dag.test()`` in this
process, so its tasks meet the same connections and AWS stand-ins as the test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servicekit.airflow_client import RestAirflowClient
from tests.harness.airflow import DagRunResult, load_dag_file, run_dag_object
from tests.harness.servers import free_port
from tests.integration.builder.api import Api, Builder, Tenant, running_builder
from workflow_builder_api.core.config import Settings
from workflow_builder_api.core.db import transaction
from workflow_builder_api.services.auth import create_token

CREATE = """mutation($input: CreateWorkflowInput!) {
  createWorkflow(input: $input) { id currentVersion problems { code message nodeId field } }
}"""
PUBLISH = """mutation($id: ID!, $version: Int!) {
  publishWorkflow(id: $id, version: $version) {
    published dagId dagFile problems { code message nodeId field }
  }
}"""
GRANT = """mutation($input: GrantInput!) { grant(input: $input) { id } }"""


@dataclass(frozen=True)
class Published:
    dag_id: str
    path: Path

    def run(self) -> DagRunResult:
        """One run of the published file, imported by DagBag as the DAG processor does."""
        return run_dag_object(load_dag_file(self.path, self.dag_id))


@dataclass
class Designer:
    builder: Builder
    platform: Api

    def tenant(
        self, *, connections: tuple[str, ...] = (), s3: dict[str, str] | None = None
    ) -> Tenant:
        """A fresh tenant granted these connections and ``s3://`` locations (→ connection)."""
        tenant = self.builder.tenant()
        for name in connections:
            self.grant(tenant.name, "connection", name)
        for location, connection in (s3 or {}).items():
            self.grant(tenant.name, "s3", location, connection)
        return tenant

    def grant(self, tenant: str, kind: str, name: str, connection: str | None = None) -> None:
        """A platform admin grants ``tenant`` a connection, an ``s3`` location or a topic."""
        given = {"tenant": tenant, "kind": kind, "name": name, "connectionId": connection}
        self.platform.data(GRANT, input={k: v for k, v in given.items() if v is not None})

    def problems(self, tenant: Tenant, spec: dict[str, Any]) -> list[dict[str, Any]]:
        """What the builder says of ``spec`` when the tenant's editor saves it."""
        name = f"w{uuid.uuid4().hex[:10]}"
        spec = {**spec, "metadata": {**spec.get("metadata", {}), "name": name}}
        created = tenant.editor.data(CREATE, input={"name": name, "spec": spec})
        return created["createWorkflow"]["problems"]

    def publish(self, tenant: Tenant, spec: dict[str, Any]) -> Published:
        """The tenant's editor saves ``spec`` and publishes it; fails listing any problem."""
        name = spec["metadata"]["name"]
        created = tenant.editor.data(CREATE, input={"name": name, "spec": spec})["createWorkflow"]
        assert created["problems"] == [], created["problems"]
        result = tenant.editor.data(PUBLISH, id=created["id"], version=created["currentVersion"])
        published = result["publishWorkflow"]
        assert published["published"], published["problems"]
        return Published(published["dagId"], self.builder.dags_folder / published["dagFile"])


@contextmanager
def designer(folder: Path) -> Iterator[Designer]:
    """A builder on SQLite with its own dags folder, and a platform admin to grant with."""
    settings = Settings(
        database_url=f"sqlite:///{folder / 'builder.db'}",
        dags_folder=str(folder / "dags"),
        templates_folder=folder / "templates",
    )
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    # Runs go through dag.test() here, not through an Airflow server.
    nowhere = f"http://127.0.0.1:{free_port()}"
    with running_builder(
        settings, airflow_factory=lambda: RestAirflowClient(nowhere, "admin", "unused")
    ) as builder:
        with transaction(builder.runtime.sessions) as session:
            token = create_token(session, tenant="platform", role="platform", name="platform")
        yield Designer(builder, Api(builder.client, token))
