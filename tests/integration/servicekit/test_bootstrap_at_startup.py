"""A bad bootstrap entry stops a service's start with one clear line that names the setting,
the entry and the field, and never shows the secret it was given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.servers import free_port
from tests.integration.servicekit.services import Service

SECRET = "do-not-print-this-secret-anywhere"


def start(service: Service, tmp_path: Path, bootstrap: str) -> subprocess.CompletedProcess:
    """Start the service as a deployment does (uvicorn) and let it run out or fail."""
    env = {
        **os.environ,
        service.bootstrap_setting: bootstrap,
        "AIRLOOM_MARKETPLACE_DATABASE_URL": f"sqlite:///{tmp_path / 'marketplace.db'}",
        "AIRLOOM_BUILDER_DATABASE_URL": f"sqlite:///{tmp_path / 'builder.db'}",
        "AIRLOOM_BUILDER_DAGS_FOLDER": str(tmp_path / "dags"),
    }
    command = [sys.executable, "-m", "uvicorn", service.module, "--port", str(free_port())]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"tenant": None}, "[1].tenant: Input should be a valid string"),
        ({"tenant_name": "acme"}, "[1].tenant_name: Extra inputs are not permitted"),
    ],
    ids=["no-tenant", "misspelt-field"],
)
def test_a_bad_entry_stops_the_start_naming_setting_entry_and_field(
    service: Service, tmp_path: Path, entry: dict, problem: str
) -> None:
    good = service.entry("a-first-entry-that-is-fine", "acme")
    bad = service.entry(SECRET, "acme") | entry
    started = start(service, tmp_path, json.dumps([good, bad]))

    assert started.returncode != 0
    assert f"{service.bootstrap_setting}{problem}" in started.stderr
    assert SECRET not in started.stderr + started.stdout
    assert "Traceback" not in started.stderr
    assert not (tmp_path / f"{service.name}.db").exists()  # stopped before touching anything


def test_a_value_that_is_not_json_stops_the_start_without_showing_it(
    service: Service, tmp_path: Path
) -> None:
    started = start(service, tmp_path, f'[{{"secret": "{SECRET}"')

    assert started.returncode != 0
    assert f"{service.bootstrap_setting}: is not JSON" in started.stderr
    assert SECRET not in started.stderr + started.stdout
