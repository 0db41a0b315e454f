"""`airloom up` starts with the tenants its bootstrap variables name, beside its own admin.

The session's stack (tests/harness/stack.py) was started with two tenants in
``AIRLOOM_BUILDER_BOOTSTRAP_TOKENS``, ``AIRLOOM_MARKETPLACE_BOOTSTRAP_KEYS`` and
``AIRLOOM_AIRFLOW_BOOTSTRAP_USERS``; a malformed value stops `up` before anything starts.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.harness.stack import LocalStack, run_airloom, stack_environment

pytestmark = pytest.mark.e2e


def graphql(stack: LocalStack, token: str, query: str) -> dict:
    response = httpx.post(
        stack.url("AIRLOOM_BUILDER_PORT", "/graphql"),
        json={"query": query},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_bootstrapped_tokens_work_beside_the_local_admin_token(stack: LocalStack) -> None:
    tokens = [stack.credentials["builder_token"], *(t.builder_token for t in stack.tenants)]
    for token in tokens:
        body = graphql(stack, token, "{ nodeTypes { type } }")
        assert "kafka_ingest" in {t["type"] for t in body["data"]["nodeTypes"]}, body
    refused = graphql(stack, "alb_not-a-token", "{ nodeTypes { type } }")
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_bootstrapped_keys_work_beside_the_local_admin_key(stack: LocalStack) -> None:
    expected = {stack.credentials["marketplace_key"]: ("default", "enterprise")}
    expected.update({t.marketplace_key: (t.name, "pro") for t in stack.tenants})
    for key, (tenant, tier) in expected.items():
        me = httpx.get(
            stack.url("AIRLOOM_MARKETPLACE_PORT", "/api/v1/me"),
            headers={"X-API-Key": key},
            timeout=60,
        )
        assert me.status_code == 200, me.text
        assert (me.json()["tenant"], me.json()["tier"]) == (tenant, tier)


def test_the_developer_stack_serves_graphiql_and_introspection(stack: LocalStack) -> None:
    page = httpx.get(
        stack.url("AIRLOOM_BUILDER_PORT", "/graphql"), headers={"Accept": "text/html"}, timeout=60
    )
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    body = graphql(stack, stack.tenants[0].builder_token, "{ __schema { queryType { name } } }")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_each_airflow_login_gets_a_token(stack: LocalStack) -> None:
    logins = [(t.airflow_viewer, t.airflow_editor) for t in stack.tenants]
    for login in [login for pair in logins for login in pair]:
        response = httpx.post(
            f"{stack.airflow_url}/auth/token",
            json={"username": login.username, "password": login.password},
            timeout=60,
        )
        assert response.status_code in (200, 201), (login.username, response.text)
    wrong = httpx.post(
        f"{stack.airflow_url}/auth/token",
        json={"username": logins[0][0].username, "password": "not-the-password"},
        timeout=60,
    )
    assert wrong.status_code == 401


def test_studio_users_sign_in_and_their_tokens_work_on_both_services(stack: LocalStack) -> None:
    logins = [stack.studio_login(), *(stack.studio_login(t.studio_username) for t in stack.tenants)]
    expected = [("default", "admin"), *((t.name, "editor") for t in stack.tenants)]
    for login, (tenant, role) in zip(logins, expected, strict=True):
        signed_in = httpx.post(
            stack.url("AIRLOOM_BUILDER_PORT", "/auth/login"),
            json={"username": login.username, "password": login.password},
            timeout=60,
        )
        assert signed_in.status_code == 200, (login.username, signed_in.text)
        assert (signed_in.json()["tenant"], signed_in.json()["role"]) == (tenant, role)
        token = signed_in.json()["access_token"]
        assert "errors" not in graphql(stack, token, "{ workflows { nodes { name } } }")
        me = httpx.get(
            stack.url("AIRLOOM_MARKETPLACE_PORT", "/api/v1/me"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert (me.status_code, me.json()["tenant"]) == (200, tenant), me.text
    wrong = httpx.post(
        stack.url("AIRLOOM_BUILDER_PORT", "/auth/login"),
        json={"username": "admin", "password": "not-the-password"},
        timeout=60,
    )
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("AIRLOOM_BUILDER_BOOTSTRAP_TOKENS", "[{'token': 'x'}]", "is not JSON"),
        ("AIRLOOM_BUILDER_BOOTSTRAP_TOKENS", '[{"token": "x", "tenant": "Acme"}]', "tenant"),
        ("AIRLOOM_MARKETPLACE_BOOTSTRAP_KEYS", '{"key": "k"}', "must be a JSON list"),
        (
            "AIRLOOM_AIRFLOW_BOOTSTRAP_USERS",
            json.dumps([{"username": "ann", "password": "long-enough", "tenant": "acme"}]),
            "role",
        ),
        (
            "AIRLOOM_BUILDER_BOOTSTRAP_USERS",
            json.dumps([{"username": "ann", "password": "short", "tenant": "acme", "role": "x"}]),
            "password",
        ),
    ],
)
def test_a_malformed_bootstrap_variable_stops_up_at_once(
    tmp_path: Path, variable: str, value: str, says: str
) -> None:
    env = stack_environment(tmp_path / "state")
    env[variable] = value
    result = run_airloom(env, "up", timeout=60)
    assert result.returncode != 0
    assert variable in result.stderr and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "state" / "run").glob("*.json"))
