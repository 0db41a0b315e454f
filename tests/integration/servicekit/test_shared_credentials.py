"""Both services hash tokens and keys with servicekit's one function: a credential either
service stored before (SHA-256 in hex), or makes with its own command, still lets its holder in,
and only its holder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from servicekit.database import make_engine
from tests.integration.servicekit.services import Service

LEGACY_SECRET = "a-secret-stored-before-servicekit"


def test_a_credential_stored_before_the_shared_hash_still_verifies(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    service.migrations.upgrade(engine)
    # Exactly what both services wrote before: hashlib's SHA-256 of the secret, in hex.
    stored = hashlib.sha256(LEGACY_SECRET.encode()).hexdigest()
    statement, values = service.legacy_row(stored, "legacy")
    with engine.begin() as connection:
        connection.execute(text(statement), values)
    engine.dispose()

    with TestClient(service.app(database_url, tmp_path, [])) as client:
        assert service.tenant_of(client, LEGACY_SECRET) == "legacy"
        assert service.tenant_of(client, LEGACY_SECRET.upper()) is None
        assert service.tenant_of(client, stored) is None  # the stored hash is not a credential


def test_a_credential_made_by_the_services_own_command_verifies(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    secret = service.create_with_cli(database_url, "acme")

    with TestClient(service.app(database_url, tmp_path, [])) as client:
        assert service.tenant_of(client, secret) == "acme"
        assert service.tenant_of(client, secret[:-1]) is None
