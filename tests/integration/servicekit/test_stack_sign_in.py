"""What `airloom up` gives the services for signing in, without starting the whole stack: one
generated secret for both, the Studio users for the builder, recorded in credentials.json; the
builder started with that environment signs the admin in, and the marketplace started with its
environment accepts the token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airloom_cli.stack.bootstrap import BootstrapError, read_bootstrap
from airloom_cli.stack.services import stack_services
from airloom_cli.stack.settings import StackSettings
from tests.integration.builder.api import running_builder
from tests.integration.marketplace.conftest import open_marketplace
from workflow_builder_api.core.config import Settings as BuilderSettings

ENVIRONMENT = {
    "AIRLOOM_BUILDER_BOOTSTRAP_TOKENS": json.dumps(
        [{"token": "acme-editor-token-secret", "tenant": "acme", "role": "editor"}]
    ),
    "AIRLOOM_BUILDER_BOOTSTRAP_USERS": json.dumps(
        [{"username": "zoe", "password": "zoe-password", "tenant": "acme", "role": "viewer"}]
    ),
}


def service_env(home: Path) -> dict[str, dict[str, str]]:
    bootstrap = read_bootstrap(ENVIRONMENT, reserved_users={"admin"})
    return {s.name: s.env for s in stack_services(StackSettings(home=home), bootstrap)}


def test_up_generates_one_secret_and_records_the_studio_users_once(tmp_path: Path) -> None:
    first, again = service_env(tmp_path), service_env(tmp_path)

    secret = first["workflow-builder"]["AIRLOOM_AUTH_SECRET"]
    assert len(secret) >= 32
    assert first["marketplace"]["AIRLOOM_AUTH_SECRET"] == secret
    assert again["workflow-builder"]["AIRLOOM_AUTH_SECRET"] == secret  # kept, not regenerated
    # Passwords reach the builder alone.
    assert "AIRLOOM_BUILDER_BOOTSTRAP_USERS" not in first["marketplace"]
    assert "AIRLOOM_AUTH_SECRET" not in first["serving"]

    credentials = json.loads((tmp_path / "credentials.json").read_text())
    users = credentials["studio_users"]
    assert users["admin"]["tenant"] == "default" and users["admin"]["role"] == "admin"
    assert users["acme-editor"]["tenant"] == "acme" and users["acme-editor"]["role"] == "editor"
    assert {"builder_token", "marketplace_key"} <= set(credentials)
    assert oct((tmp_path / "credentials.json").stat().st_mode & 0o777) == "0o600"
    given = json.loads(again["workflow-builder"]["AIRLOOM_BUILDER_BOOTSTRAP_USERS"])
    by_name = {entry["username"]: entry for entry in given}
    assert by_name["admin"]["password"] == users["admin"]["password"]  # same password again
    assert by_name["zoe"]["role"] == "viewer"  # the developer's own entry, passed on


def test_the_admin_signs_in_and_both_services_accept_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = service_env(tmp_path / "state")
    admin = json.loads((tmp_path / "state" / "credentials.json").read_text())["studio_users"]
    for name in ("AIRLOOM_AUTH_SECRET", "AIRLOOM_BUILDER_BOOTSTRAP_USERS"):
        monkeypatch.setenv(name, env["workflow-builder"][name])
    builder_settings = BuilderSettings(
        database_url=f"sqlite:///{tmp_path / 'builder.db'}", dags_folder=str(tmp_path / "dags")
    )
    with running_builder(builder_settings) as builder:
        login = builder.client.post(
            "/auth/login", json={"username": "admin", "password": admin["admin"]["password"]}
        )
    assert login.status_code == 200, login.text
    assert (login.json()["tenant"], login.json()["role"]) == ("default", "admin")

    # The marketplace reads the same AIRLOOM_AUTH_SECRET from its environment.
    monkeypatch.setenv("AIRLOOM_AUTH_SECRET", env["marketplace"]["AIRLOOM_AUTH_SECRET"])
    database = f"sqlite:///{tmp_path / 'marketplace.db'}"
    with open_marketplace(database, "http://127.0.0.1:9", sync_enabled=False) as marketplace:
        me = marketplace.client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        )
    assert (me.status_code, me.json()["tenant"], me.json()["name"]) == (200, "default", "admin")


def test_a_developer_cannot_take_the_stacks_admin_name() -> None:
    taken = [{"username": "admin", "password": "x" * 12, "tenant": "acme", "role": "admin"}]
    with pytest.raises(BootstrapError, match=r"BOOTSTRAP_USERS\[0\]\.username 'admin' is the"):
        read_bootstrap(
            {"AIRLOOM_BUILDER_BOOTSTRAP_USERS": json.dumps(taken)}, reserved_users={"admin"}
        )
