"""Signing in to the builder: /auth/login and /auth/me, and sign-in tokens on GraphQL (HTTP
and graphql-ws) beside API tokens, each person kept to their tenant and role."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from sqlalchemy import select

from servicekit.identity import IdentitySettings
from servicekit.settings import SettingsError, load_settings
from tests.harness.tokens import forged_token
from tests.integration.builder.api import Api, Builder, running_builder, subscribe
from tests.integration.builder.queries import CREATE, RUN_UPDATES, WORKFLOW
from tests.integration.servicekit.oidc_provider import oidc_provider
from workflow_builder_api.core.config import Settings
from workflow_builder_api.core.db import transaction
from workflow_builder_api.models import User
from workflow_builder_api.services.users import save_user

SECRET = "builder-sign-in-tests-secret-0123456789"
PASSWORDS = {"ann": "ann-password-1", "bob": "bob-password-2", "vic": "vic-password-3"}
USERS = [
    {"username": "ann", "password": PASSWORDS["ann"], "tenant": "acme", "role": "editor"},
    {"username": "bob", "password": PASSWORDS["bob"], "tenant": "globex", "role": "editor"},
    {"username": "vic", "password": PASSWORDS["vic"], "tenant": "acme", "role": "viewer"},
]
LIST = "{ workflows { nodes { name } } }"


def settings(folder: Path, database_url: str, **overrides: object) -> Settings:
    values = {
        "database_url": database_url,
        "dags_folder": str(folder / "dags"),
        "bootstrap_users": json.dumps(USERS),
        "identity": IdentitySettings(secret=SECRET),
    }
    return Settings(**(values | overrides))


@pytest.fixture(scope="module")
def builder(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builder]:
    folder = tmp_path_factory.mktemp("sign-in")
    with running_builder(settings(folder, database_url)) as running:
        yield running


def login(builder: Builder, username: str, password: str | None = None) -> Api:
    response = builder.client.post(
        "/auth/login", json={"username": username, "password": password or PASSWORDS[username]}
    )
    assert response.status_code == 200, response.text
    return Api(builder.client, response.json()["access_token"])


def test_a_person_signs_in_and_the_token_says_who_they_are(builder: Builder) -> None:
    response = builder.client.post(
        "/auth/login", json={"username": "ann", "password": PASSWORDS["ann"]}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("token_type", "expires_in", "username", "tenant", "role")} == {
        "token_type": "bearer",
        "expires_in": 8 * 3600,
        "username": "ann",
        "tenant": "acme",
        "role": "editor",
    }
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"], audience="airloom")
    assert (claims["sub"], claims["tenant"], claims["role"]) == ("ann", "acme", "editor")
    me = builder.client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {
        "username": "ann",
        "tenant": "acme",
        "role": "editor",
        "expires_at": claims["exp"],
    }


def test_wrong_user_and_wrong_password_get_the_same_401(builder: Builder) -> None:
    wrong_password = builder.client.post(
        "/auth/login", json={"username": "ann", "password": "not-her-password"}
    )
    unknown_user = builder.client.post(
        "/auth/login", json={"username": "nobody", "password": PASSWORDS["ann"]}
    )

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json() == {"detail": "wrong user name or password"}
    assert wrong_password.headers["WWW-Authenticate"] == "Bearer"


def test_passwords_are_stored_only_as_argon2_hashes(builder: Builder) -> None:
    with transaction(builder.runtime.sessions) as session:
        stored = {u.username: u.password_hash for u in session.scalars(select(User))}
    for username, password in PASSWORDS.items():
        assert stored[username].startswith("$argon2id$")
        assert password not in stored[username]


def test_a_disabled_user_cannot_sign_in(builder: Builder) -> None:
    with transaction(builder.runtime.sessions) as session:
        user = save_user(
            session, username="gone", password="gone-password", tenant="acme", role="viewer"
        )
        user.disabled = True
    refused = builder.client.post(
        "/auth/login", json={"username": "gone", "password": "gone-password"}
    )
    assert refused.status_code == 401


def test_a_sign_in_token_works_on_graphql_within_its_tenant(builder: Builder) -> None:
    ann, bob = login(builder, "ann"), login(builder, "bob")
    name = f"w{uuid.uuid4().hex[:8]}"

    created = ann.data(CREATE, input={"name": name})["createWorkflow"]

    versions = ann.data(WORKFLOW, id=created["id"])["workflow"]["versions"]
    assert versions[0]["createdBy"] == "ann"
    assert name in [w["name"] for w in ann.data(LIST)["workflows"]["nodes"]]
    # Another tenant's person neither lists it nor reads it.
    assert name not in [w["name"] for w in bob.data(LIST)["workflows"]["nodes"]]
    assert bob.error(WORKFLOW, id=created["id"])["extensions"]["code"] == "NOT_FOUND"


def test_a_viewer_reads_but_cannot_change(builder: Builder) -> None:
    vic = login(builder, "vic")

    assert "workflows" in vic.data(LIST)
    refused = vic.error(CREATE, input={"name": "not_allowed"})
    assert refused["extensions"]["code"] == "FORBIDDEN"
    assert "editor role" in refused["message"]


def forged(expires_in: int = 600, **claims: object) -> str:
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
        ({"tenant": None}, "the token carries no tenant (claim 'tenant')"),
    ],
    ids=["expired", "forged", "another-audience", "no-tenant"],
)
def test_bad_tokens_are_refused_with_the_reason(
    builder: Builder, claims: dict, message: str
) -> None:
    token = forged(**claims)
    error = Api(builder.client, token).error(LIST)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"] == message
    me = builder.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert (me.status_code, me.json()) == (401, {"detail": message})


def test_api_tokens_keep_working_beside_sign_in(builder: Builder) -> None:
    tenant = builder.tenant()
    assert tenant.viewer.data(LIST) == {"workflows": {"nodes": []}}
    me = builder.client.get("/auth/me", headers=tenant.admin.headers())
    assert me.json() == {
        "username": f"{tenant.name}-admin",
        "tenant": tenant.name,
        "role": "admin",
        "expires_at": None,  # an API token does not expire
    }


def test_graphql_ws_accepts_the_token_in_connection_init(builder: Builder) -> None:
    token = login(builder, "ann").token
    unknown_run = uuid.uuid4().hex

    signed_in = next(subscribe(builder.client, token, RUN_UPDATES, {"runId": unknown_run}))
    refused = next(subscribe(builder.client, forged(aud="x"), RUN_UPDATES, {"runId": unknown_run}))

    # Past authentication, the run is looked up within ann's tenant (and is not there).
    assert signed_in["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_failed_sign_ins_are_limited(tmp_path: Path) -> None:
    limited = settings(tmp_path, f"sqlite:///{tmp_path / 'b.db'}", login_rate_limits="3/minute")
    with running_builder(limited) as builder:
        for _ in range(3):
            wrong = {"username": "ann", "password": "guess-guess"}
            assert builder.client.post("/auth/login", json=wrong).status_code == 401
        # Past the limit even the right password waits: guessing gains nothing.
        right = {"username": "ann", "password": PASSWORDS["ann"]}
        refused = builder.client.post("/auth/login", json=right)
    assert refused.status_code == 429
    assert "too many failed sign-ins" in refused.json()["detail"]
    assert int(refused.headers["Retry-After"]) >= 1


def test_without_a_secret_password_sign_in_is_off(tmp_path: Path) -> None:
    off = settings(tmp_path, f"sqlite:///{tmp_path / 'b.db'}", identity=IdentitySettings())
    with running_builder(off) as builder:
        response = builder.client.post(
            "/auth/login", json={"username": "ann", "password": PASSWORDS["ann"]}
        )
    assert response.status_code == 503
    assert "AIRLOOM_AUTH_SECRET" in response.json()["detail"]


def test_an_oidc_providers_token_works_on_graphql(tmp_path: Path) -> None:
    with oidc_provider() as provider:
        trusted = IdentitySettings(**provider.settings())
        database = f"sqlite:///{tmp_path / 'b.db'}"
        with running_builder(settings(tmp_path, database, identity=trusted)) as builder:
            token = provider.id_token(username="ola", tenant="initech", groups=["airloom-viewer"])
            me = builder.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
            expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
            assert me.json() == {
                "username": "ola",
                "tenant": "initech",
                "role": "viewer",
                "expires_at": expires_at,
            }
            viewer = Api(builder.client, token)
            assert viewer.error(CREATE, input={"name": "x"})["extensions"]["code"] == "FORBIDDEN"


def test_a_bad_bootstrap_user_stops_the_builder_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    users = [{"username": "ann", "password": "short", "tenant": "acme", "role": "boss"}]
    monkeypatch.setenv("AIRLOOM_BUILDER_BOOTSTRAP_USERS", json.dumps(users))
    with pytest.raises(SettingsError) as stopped:
        load_settings(Settings)
    message = str(stopped.value)
    assert "AIRLOOM_BUILDER_BOOTSTRAP_USERS[0].password" in message
    assert "AIRLOOM_BUILDER_BOOTSTRAP_USERS[0].role: unknown role 'boss'" in message
    assert "short" not in message.replace("String should have at least", "")
