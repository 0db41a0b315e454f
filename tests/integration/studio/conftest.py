"""Studio as the builder serves it: the real built app (``make studio`` once, if missing)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicekit.airflow_client import RestAirflowClient
from servicekit.identity import IdentitySettings
from tests.harness.servers import free_port
from tests.integration.builder.api import Builder, running_builder
from workflow_builder_api.core.config import STUDIO_DIST, Settings

PROJECT_ROOT = Path(__file__).resolve().parents[3]
SECRET = "studio-tests-signing-secret-0123456789"
PASSWORDS = {"ann": "ann-password-1", "vic": "vic-password-3"}
USERS = [
    {"username": "ann", "password": PASSWORDS["ann"], "tenant": "acme", "role": "editor"},
    {"username": "vic", "password": PASSWORDS["vic"], "tenant": "acme", "role": "viewer"},
]


@pytest.fixture(scope="session")
def studio_dist() -> Path:
    """``make test`` builds the app before pytest starts; a lone run builds it here."""
    if not (STUDIO_DIST / "index.html").is_file():
        subprocess.run(["make", "studio"], cwd=PROJECT_ROOT, check=True)
    return STUDIO_DIST


@pytest.fixture(scope="module")
def builder(studio_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builder]:
    folder = tmp_path_factory.mktemp("studio-builder")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'builder.db'}",
        dags_folder=str(folder / "dags"),
        studio_dist=studio_dist,
        marketplace_url="http://127.0.0.1:18002/",
        airflow_public_url="http://127.0.0.1:18080",
        bootstrap_users=json.dumps(USERS),
        identity=IdentitySettings(secret=SECRET),
    )
    # Nothing listens there: these tests publish nothing, so nothing asks Airflow.
    nowhere = f"http://127.0.0.1:{free_port()}"
    with running_builder(
        settings, airflow_factory=lambda: RestAirflowClient(nowhere, "admin", "unused")
    ) as running:
        yield running
