"""Sign-in tokens on the marketplace: a token from the builder's /auth/login (or an OIDC
provider) is a caller of its tenant, with the signed-in tier; its role decides what it may
change. API keys keep working beside it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from marketplace.catalog.records import ListingRecord, VersionRecord
from marketplace.catalog.store import upsert_listing
from servicekit.identity import IdentitySettings
from tests.harness.servers import free_port
from tests.harness.tokens import forged_token
from tests.integration.builder.api import running_builder
from tests.integration.marketplace.conftest import Marketplace, open_marketplace
from tests.integration.servicekit.oidc_provider import oidc_provider
from workflow_builder_api.core.config import Settings as BuilderSettings

SECRET = "marketplace-sign-in-tests-0123456789abcdef"
SIGNATURE = {"inputs": [{"name": "tenure", "type": "double"}], "outputs": None, "params": None}
USERS = [
    {"username": "gil", "password": "gil-password", "tenant": "globex", "role": "editor"},
    {"username": "val", "password": "val-password", "tenant": "globex", "role": "viewer"},
    {"username": "ida", "password": "ida-password", "tenant": "initech", "role": "admin"},
]
COMPARE = {
    "versions": [{"name": "globex_churn", "version": 1}, {"name": "globex_churn", "version": 2}]
}


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each user's token, from a real sign-in at the builder that shares the secret."""
    folder: Path = tmp_path_factory.mktemp("builder")
    settings = BuilderSettings(
        database_url=f"sqlite:///{folder / 'builder.db'}",
        dags_folder=str(folder / "dags"),
        bootstrap_users=json.dumps(USERS),
        identity=IdentitySettings(secret=SECRET),
    )
    with running_builder(settings) as builder:
        answers = {
            user["username"]: builder.client.post(
                "/auth/login", json={"username": user["username"], "password": user["password"]}
            )
            for user in USERS
        }
    assert all(answer.status_code == 200 for answer in answers.values())
    return {name: answer.json()["access_token"] for name, answer in answers.items()}


@pytest.fixture(scope="module")
def marketplace(tmp_path_factory, monkeypatch_module) -> Iterator[Marketplace]:
    monkeypatch_module.setenv("AIRLOOM_AIRFLOW_API_URL", f"http://127.0.0.1:{free_port()}")
    database = tmp_path_factory.mktemp("sign-in") / "marketplace.db"
    with open_marketplace(
        f"sqlite:///{database}",
        "http://127.0.0.1:9",
        sync_enabled=False,
        identity=IdentitySettings(secret=SECRET),
    ) as app:
        with app.app.state.session_factory() as session:
            for tenant, name in (("globex", "globex_churn"), ("initech", "initech_churn")):
                versions = [VersionRecord(version=v, signature=SIGNATURE) for v in (1, 2)]
                upsert_listing(session, ListingRecord(name=name, tenant=tenant, versions=versions))
            session.commit()
        yield app


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_builder_sign_in_token_is_a_caller_of_its_tenant(marketplace, tokens) -> None:
    me = marketplace.client.get("/api/v1/me", headers=bearer(tokens["gil"]))

    assert me.status_code == 200, me.text
    assert {k: me.json()[k] for k in ("name", "tenant", "tier")} == {
        "name": "gil",
        "tenant": "globex",
        "tier": "pro",  # AIRLOOM_MARKETPLACE_SIGNED_IN_TIER's default
    }
    listed = marketplace.client.get("/api/v1/models", headers=bearer(tokens["gil"])).json()
    assert [item["name"] for item in listed["items"]] == ["globex_churn"]


def test_a_token_never_reaches_another_tenants_models(marketplace, tokens) -> None:
    other = marketplace.client.get("/api/v1/models/initech_churn", headers=bearer(tokens["gil"]))
    own = marketplace.client.get("/api/v1/models/initech_churn", headers=bearer(tokens["ida"]))

    assert other.status_code == 404
    assert other.json()["detail"] == "model 'initech_churn' not found"
    assert own.status_code == 200


def test_a_viewer_reads_compares_and_predicts_but_changes_nothing(marketplace, tokens) -> None:
    viewer, client = bearer(tokens["val"]), marketplace.client

    assert client.get("/api/v1/models/globex_churn", headers=viewer).status_code == 200
    assert client.post("/api/v1/compare", json=COMPARE, headers=viewer).status_code == 200
    # Predicting changes nothing: past the role check, the endpoint is simply not there.
    predicted = client.post(
        "/api/v1/endpoints/nowhere/invocations", json={"inputs": [[1.0]]}, headers=viewer
    )
    assert predicted.status_code == 404
    for method, path in (
        ("POST", "/api/v1/models/globex_churn/versions/1/deploy"),
        ("POST", "/api/v1/models/globex_churn/versions/1/validate"),
        ("DELETE", "/api/v1/endpoints/nowhere"),
        ("POST", "/api/v1/endpoints/nowhere/rollback"),
    ):
        refused = client.request(method, path, json={}, headers=viewer)
        assert refused.status_code == 403, (method, path, refused.text)
        assert (
            refused.json()["detail"] == "this needs the editor role; you are signed in as a viewer"
        )
    # An editor gets past the role check to the route's own answer.
    editor = client.delete("/api/v1/endpoints/nowhere", headers=bearer(tokens["gil"]))
    assert editor.status_code == 404


def forged(expires_in: int = 600, **claims: object) -> str:
    claims = {"sub": "gil", "tenant": "globex", **claims}
    return forged_token(SECRET, expires_in=expires_in, **claims)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"expires_in": -3600}, "the token has expired: sign in again"),
        (
            {"key": "an-attackers-own-secret-0123456789abcd"},
            "the token's signature does not verify",
        ),
        ({"aud": "another-app"}, "the token is for another audience, not 'airloom'"),
        ({"role": None}, "the token carries no Airloom role (claim 'role'"),
    ],
    ids=["expired", "forged", "another-audience", "no-role"],
)
def test_bad_tokens_get_401_with_the_reason(marketplace, claims: dict, message: str) -> None:
    token = forged(**claims)
    for path, method in (("/api/v1/models", "GET"), ("/api/v1/endpoints/x/invocations", "POST")):
        refused = marketplace.client.request(method, path, json={}, headers=bearer(token))
        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthorized"
        assert refused.json()["detail"].startswith(message)


def test_api_keys_keep_working_beside_tokens(marketplace) -> None:
    for headers in (
        marketplace.key("globex", "free"),
        bearer(marketplace.key("globex")["X-API-Key"]),
    ):
        me = marketplace.client.get("/api/v1/me", headers=headers)
        assert me.status_code == 200
        assert me.json()["tenant"] == "globex"


def test_an_oidc_providers_token_is_accepted(tmp_path: Path) -> None:
    with oidc_provider() as provider:
        settings = IdentitySettings(**provider.settings())
        database = f"sqlite:///{tmp_path / 'marketplace.db'}"
        with open_marketplace(
            database,
            "http://127.0.0.1:9",
            sync_enabled=False,
            identity=settings,
            signed_in_tier="enterprise",
        ) as app:
            token = provider.id_token(username="ola", tenant="initech", groups=["airloom-admin"])
            me = app.client.get("/api/v1/me", headers=bearer(token))
            local = app.client.get("/api/v1/me", headers=bearer(forged()))
    assert {k: me.json()[k] for k in ("name", "tenant", "tier")} == {
        "name": "ola",
        "tenant": "initech",
        "tier": "enterprise",
    }
    # This marketplace trusts only the provider: local tokens are another issuer's.
    assert local.status_code == 401
    assert local.json()["detail"] == "the token's issuer 'airloom' is not one this service trusts"
