"""The two services that share servicekit's credentials, bootstrap secrets and migrations,
each built on a database of its own, with what a test asks of both the same way."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine

from marketplace.core.db import MIGRATIONS as MARKETPLACE_MIGRATIONS
from servicekit.airflow_client import RestAirflowClient
from servicekit.migrations import Migrations
from tests.harness.servers import free_port
from workflow_builder_api.core.db import MIGRATIONS as BUILDER_MIGRATIONS

NOWHERE = "http://127.0.0.1:9"  # MLflow and Airflow are not what these tests are about


@dataclass(frozen=True)
class Service:
    name: str
    module: str  # what uvicorn serves
    bootstrap_setting: str
    migrations: Migrations
    tables: frozenset[str]

    def entry(self, secret: str, tenant: str) -> dict[str, str]:
        """A bootstrap entry of this service's setting."""
        if self.name == "marketplace":
            return {"key": secret, "tenant": tenant, "tier": "pro"}
        return {"token": secret, "tenant": tenant, "role": "viewer"}

    def create_with_cli(self, database_url: str, tenant: str) -> str:
        """A credential made by the service's own command; the secret it prints."""
        if self.name == "marketplace":
            command = ["marketplace.cli", "create-key", "--tenant", tenant, "--tier", "pro"]
            variable = "AIRLOOM_MARKETPLACE_DATABASE_URL"
        else:
            command = [
                "workflow_builder_api",
                "create-token",
                "--tenant",
                tenant,
                "--role",
                "viewer",
            ]
            variable = "AIRLOOM_BUILDER_DATABASE_URL"
        done = subprocess.run(
            [sys.executable, "-m", *command],
            env={**os.environ, variable: database_url},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    def app(self, database_url: str, folder: Path, secrets: list[dict[str, str]]) -> FastAPI:
        """The service on ``database_url``, seeding ``secrets`` ({"secret", "tenant"} each)."""
        if self.name == "marketplace":
            from marketplace.core.config import Settings
            from marketplace.main import create_app

            return create_app(
                Settings(
                    database_url=database_url,
                    mlflow_tracking_uri=NOWHERE,
                    sync_enabled=False,
                    log_level="WARNING",
                    bootstrap_keys=[self.entry(**s) for s in secrets],
                )
            )
        from workflow_builder_api.app import create_app, create_runtime
        from workflow_builder_api.core.config import Settings as BuilderSettings

        settings = BuilderSettings(
            database_url=database_url,
            dags_folder=str(folder / "dags"),
            log_level="WARNING",
            bootstrap_tokens=[self.entry(**s) for s in secrets],
        )
        nowhere = f"http://127.0.0.1:{free_port()}"
        runtime = create_runtime(
            settings, airflow_factory=lambda: RestAirflowClient(nowhere, "admin", "unused")
        )
        return create_app(runtime=runtime)

    def engine(self, app: FastAPI) -> Engine:
        if self.name == "marketplace":
            return app.state.engine
        return app.state.runtime.sessions.kw["bind"]

    def tenant_of(self, client: httpx.Client | Any, secret: str) -> str | None:
        """The tenant the service says ``secret`` acts for; None when it refuses it."""
        if self.name == "marketplace":
            response = client.get("/api/v1/me", headers={"X-API-Key": secret})
            return response.json()["tenant"] if response.status_code == 200 else None
        response = client.post(
            "/graphql",
            json={"query": "{ quota { tenant } }"},
            headers={"Authorization": f"Bearer {secret}"},
        )
        body = response.json()
        return None if body.get("errors") else body["data"]["quota"]["tenant"]

    def legacy_row(self, secret_hash: str, tenant: str) -> tuple[str, dict[str, Any]]:
        """An INSERT of a credential as the service stored it before servicekit existed."""
        if self.name == "marketplace":
            return (
                "INSERT INTO api_keys (key_hash, prefix, name, tenant, tier, created_at) "
                "VALUES (:hash, 'alm_legacy', 'legacy', :tenant, 'pro', CURRENT_TIMESTAMP)",
                {"hash": secret_hash, "tenant": tenant},
            )
        return (
            "INSERT INTO api_tokens (token_hash, name, tenant, role, created_at) "
            "VALUES (:hash, 'legacy', :tenant, 'viewer', CURRENT_TIMESTAMP)",
            {"hash": secret_hash, "tenant": tenant},
        )


SERVICES = [
    Service(
        "marketplace",
        "marketplace.main:app",
        "AIRLOOM_MARKETPLACE_BOOTSTRAP_KEYS",
        MARKETPLACE_MIGRATIONS,
        frozenset({"api_keys", "listings", "check_runs"}),
    ),
    Service(
        "builder",
        "workflow_builder_api.main:app",
        "AIRLOOM_BUILDER_BOOTSTRAP_TOKENS",
        BUILDER_MIGRATIONS,
        frozenset({"api_tokens", "workflows", "runs"}),
    ),
]
