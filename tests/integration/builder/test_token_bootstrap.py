"""The first tokens of a deployment: the CLI, and AIRLOOM_BUILDER_BOOTSTRAP_TOKENS at startup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.integration.builder.api import Api, running_builder
from workflow_builder_api.core.config import Settings

WHOAMI = "{ workflows { nodes { name } } }"


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AIRLOOM_BUILDER_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "workflow_builder_api", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_cli_creates_a_token_the_service_accepts(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'builder.db'}"
    created = cli(database_url, "create-token", "--tenant", "demo", "--role", "editor")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    refused = cli(database_url, "create-token", "--tenant", "Demo Corp", "--role", "editor")
    assert refused.returncode != 0
    assert "tenant 'Demo Corp'" in refused.stderr

    settings = Settings(database_url=database_url, dags_folder=str(tmp_path / "dags"))
    with running_builder(settings) as builder:
        api = Api(builder.client, token)
        assert api.data(WHOAMI) == {"workflows": {"nodes": []}}
        created_workflow = api.data('mutation { createWorkflow(input: {name: "mine"}) { name } }')
        assert created_workflow == {"createWorkflow": {"name": "mine"}}


def test_bootstrap_tokens_are_created_once(tmp_path: Path) -> None:
    tokens = [
        {"token": "demo-admin-secret", "tenant": "demo", "role": "admin"},
        {"token": "demo-viewer-secret", "tenant": "demo", "role": "viewer", "name": "dashboard"},
    ]
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'builder.db'}",
        dags_folder=str(tmp_path / "dags"),
        bootstrap_tokens=json.dumps(tokens),
    )
    with running_builder(settings) as builder:
        admin = Api(builder.client, "demo-admin-secret")
        viewer = Api(builder.client, "demo-viewer-secret")
        assert viewer.data(WHOAMI) == {"workflows": {"nodes": []}}
        error = viewer.error('mutation { createWorkflow(input: {name: "x"}) { name } }')
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert admin.data('mutation { revokeApiToken(name: "dashboard") }') == {"revokeApiToken": 1}
    # A restart with the same variable adds nothing and does not bring a revoked token back.
    with running_builder(settings) as builder:
        assert Api(builder.client, "demo-admin-secret").data(WHOAMI)
        error = Api(builder.client, "demo-viewer-secret").error(WHOAMI)
        assert error["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_malformed_bootstrap_value_stops_the_start(tmp_path: Path) -> None:
    # Before the app is built: the settings refuse it, naming the entry and field.
    with pytest.raises(ValidationError, match=r"bootstrap_tokens\.0\.role\n\s+Field required"):
        Settings(
            database_url=f"sqlite:///{tmp_path / 'builder.db'}",
            dags_folder=str(tmp_path / "dags"),
            bootstrap_tokens='[{"token": "x", "tenant": "demo"}]',
        )
    assert not (tmp_path / "builder.db").exists()
