"""Value definitions are validated, tenant-scoped and changed only by editors; the figures
routes refuse bad query parameters with a 422 naming the parameter; callers need a token.
Run on SQLite and, where AIRLOOM_TEST_POSTGRES_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.harness.tokens import forged_token
from tests.integration.insights.conftest import (
    AUTH_SECRET,
    Insights,
    insights_settings,
    open_insights,
)
from tests.integration.marketplace.conftest import fresh_postgres_database

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("AIRLOOM_TEST_POSTGRES_URL") else [])
CHURN_PER_RUN = {
    "target_kind": "workflow",
    "target": "churn",
    "basis": "per_run",
    "amount_usd": "5",
}


@pytest.fixture(scope="module", params=DATABASES)
def app(request, broker, tmp_path_factory) -> Iterator[Insights]:
    folder = tmp_path_factory.mktemp("insights-values")
    if request.param == "postgresql":
        url = fresh_postgres_database(os.environ["AIRLOOM_TEST_POSTGRES_URL"])
    else:
        url = f"sqlite:///{folder / 'insights.db'}"
    settings = insights_settings(broker.url, folder / "lake", url, consume_enabled=False)
    with open_insights(settings) as running:
        yield running


def test_an_editor_creates_lists_changes_and_deletes_a_value(app):
    editor = app.headers("acme")
    created = app.client.post("/api/v1/values", json=CHURN_PER_RUN, headers=editor)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["target"], body["basis"], float(body["amount_usd"])) == ("churn", "per_run", 5)
    assert body["created_by"] == "acme-editor"
    listed = app.client.get("/api/v1/values", params={"target": "churn"}, headers=editor).json()
    assert [item["id"] for item in listed] == [body["id"]]
    changed = app.client.patch(
        f"/api/v1/values/{body['id']}",
        json={"amount_usd": "7.5", "note": "finance, Q4"},
        headers=editor,
    )
    assert changed.status_code == 200 and float(changed.json()["amount_usd"]) == 7.5
    again = app.client.post("/api/v1/values", json=CHURN_PER_RUN, headers=editor)
    assert again.status_code == 409 and "already has a per_run value" in again.json()["detail"]
    assert app.client.delete(f"/api/v1/values/{body['id']}", headers=editor).status_code == 204
    assert app.client.get(f"/api/v1/values/{body['id']}", headers=editor).status_code == 404


def test_another_tenant_can_neither_see_nor_change_a_value(app):
    created = app.client.post("/api/v1/values", json=CHURN_PER_RUN, headers=app.headers("acme"))
    definition = f"/api/v1/values/{created.json()['id']}"
    globex = app.headers("globex", "admin")
    assert app.client.get("/api/v1/values", headers=globex).json() == []
    assert app.client.get(definition, headers=globex).status_code == 404
    assert app.client.patch(definition, json={"amount_usd": "0"}, headers=globex).status_code == 404
    assert app.client.delete(definition, headers=globex).status_code == 404
    # globex may define its own churn value: names are per tenant.
    own = app.client.post("/api/v1/values", json=CHURN_PER_RUN, headers=globex)
    assert own.status_code == 201
    acme = app.client.get(definition, headers=app.headers("acme", "viewer")).json()
    assert float(acme["amount_usd"]) == 5


def test_a_viewer_reads_values_but_cannot_change_them(app):
    viewer = app.headers("initech", "viewer")
    assert app.client.get("/api/v1/values", headers=viewer).status_code == 200
    refused = app.client.post("/api/v1/values", json=CHURN_PER_RUN, headers=viewer)
    assert refused.status_code == 403 and "editor role" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({**CHURN_PER_RUN, "basis": "per_prediction"}, "body", "does not apply to workflows"),
        ({**CHURN_PER_RUN, "target_kind": "endpoint"}, "body", "does not apply to endpoints"),
        ({**CHURN_PER_RUN, "amount_usd": "-1"}, "body.amount_usd", "greater than or equal to 0"),
        ({**CHURN_PER_RUN, "amount_usd": "ten"}, "body.amount_usd", "valid decimal"),
        ({**CHURN_PER_RUN, "basis": "per_smile"}, "body.basis", "per_prediction"),
        ({**CHURN_PER_RUN, "target": ""}, "body.target", "at least 1 character"),
        ({**CHURN_PER_RUN, "quantity": "3"}, "body", "quantity is 1 for per_run"),
        ({**CHURN_PER_RUN, "currency": "EUR"}, "body.currency", "Extra inputs"),
        (
            {**CHURN_PER_RUN, "basis": "per_hour_saved", "quantity": "0"},
            "body.quantity",
            "greater than 0",
        ),
    ],
)
def test_a_bad_value_definition_is_refused_saying_which_field(app, body, field, says):
    response = app.client.post("/api/v1/values", json=body, headers=app.headers("acme"))
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert any(p["field"] == field and says in p["message"] for p in problems), problems


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/api/v1/roi", {"by": "customer"}, "query.by"),
        ("/api/v1/roi", {"grain": "year"}, "query.grain"),
        ("/api/v1/roi", {"since": "last tuesday"}, "query.since"),
        ("/api/v1/kpis", {"until": "2026-13-01"}, "query.until"),
    ],
)
def test_bad_query_parameters_get_a_422_naming_them(app, path, params, says):
    response = app.client.get(path, params=params, headers=app.headers("acme", "viewer"))
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["detail"]] == [says]


def test_a_parameter_given_twice_is_refused_not_read_as_the_last(app):
    response = app.client.get(
        "/api/v1/roi?by=workflow&by=model", headers=app.headers("acme", "viewer")
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "query parameter 'by' takes one value, not several"


def test_a_period_that_ends_before_it_starts_is_refused(app):
    response = app.client.get(
        "/api/v1/roi",
        params={"since": "2026-12-01", "until": "2026-11-01"},
        headers=app.headers("acme", "viewer"),
    )
    assert response.status_code == 422
    assert "must be before until" in response.json()["detail"]


def test_callers_need_a_token_and_a_sign_in_token_carries_its_tenant(app):
    assert app.client.get("/api/v1/kpis").status_code == 401
    bad = app.client.get("/api/v1/kpis", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and "unknown or has been revoked" in bad.json()["detail"]
    signed_in = {"Authorization": f"Bearer {forged_token(AUTH_SECRET, tenant='umbrella')}"}
    created = app.client.post("/api/v1/values", json=CHURN_PER_RUN, headers=signed_in)
    assert created.status_code == 201 and created.json()["created_by"] == "ann"
    assert (
        app.client.get("/api/v1/values", headers=app.headers("acme")).json()[0]["id"]
        != (created.json()["id"])
    )
    expired = forged_token(AUTH_SECRET, expires_in=-600)
    refused = app.client.get("/api/v1/kpis", headers={"Authorization": f"Bearer {expired}"})
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]


def test_health_and_metrics_are_served(app):
    health = app.client.get("/healthz")
    assert health.status_code == 200 and health.json()["checks"] == {"database": "ok"}
    assert app.client.get("/metrics").status_code == 200
