"""Automated insights through the service: activity sent on the real broker lands in the
lake, a refresh runs the detectors on the tenant's read model and stores what they find, the
list is ranked and filtered, tenant-scoped (one tenant never sees another's), refreshing
needs the editor role (another tenant's: platform), and bad input gets a 422 naming it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.insights.conftest import (
    Insights,
    event,
    eventually,
    insights_settings,
    open_insights,
)

NOW = datetime.now(UTC)


def _calls(tenant: str, tier: str, total: int, refused: int) -> list[dict]:
    return [
        event(
            "api_call",
            tenant,
            NOW - timedelta(days=1, minutes=i),
            service="marketplace",
            route="/api/v1/models",
            method="GET",
            status=429 if i < refused else 200,
            tier=tier,
            rate_limited=i < refused,
        )
        for i in range(total)
    ]


def _quiet_endpoint(tenant: str, endpoint: str) -> list[dict]:
    return [
        event(
            "invocation",
            tenant,
            NOW - timedelta(days=10, minutes=i),
            endpoint=endpoint,
            model="m",
            model_version="1",
            predictions=1,
            latency_ms=12.0,
            ok=True,
            target="local",
        )
        for i in range(60)
    ]


@pytest.fixture(scope="module")
def app(broker, tmp_path_factory) -> Iterator[Insights]:
    folder = tmp_path_factory.mktemp("insights-automated")
    settings = insights_settings(broker.url, folder / "lake", f"sqlite:///{folder / 'i.db'}")
    with open_insights(settings) as running:
        running.send(
            *_calls("acme", "free", 220, 40),
            *_quiet_endpoint("acme", "old-api"),
            *_calls("globex", "free", 220, 0),
            *_quiet_endpoint("globex", "globex-secret"),
        )
        yield running


def _refresh(app: Insights, headers: dict, **body) -> dict:
    answer = app.client.post("/api/v1/insights/refresh", json=body or None, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _found(body: dict) -> set[tuple[str, str]]:
    return {(i["kind"], i["subject"]) for i in body["insights"]}


def _refresh_until(app: Insights, headers: dict, wanted: set[tuple[str, str]]) -> dict:
    """Refresh until ``wanted`` is found: the consumer lands activity in the background."""
    last: dict = {}

    def attempt() -> bool:
        last.update(_refresh(app, headers))
        return wanted <= _found(last)

    eventually(attempt)
    return last


def test_a_refresh_finds_stores_and_ranks_the_tenants_insights(app):
    editor = app.headers("acme", "editor")
    expected = {("rate_limit_pressure", "free"), ("idle_endpoint", "old-api")}
    body = _refresh_until(app, editor, expected)
    assert _found(body) == expected
    assert body["tenant"] == "acme"
    limited = next(i for i in body["insights"] if i["kind"] == "rate_limit_pressure")
    assert limited["sentence"] == (
        "18% of the free tier's API calls were refused by the rate limit in the last 7 days "
        "(40 of 220, most on /api/v1/models)."
    )
    assert limited["evidence"]["figures"]["rate_limited"] == 40
    assert limited["evidence"]["query"]["filters"] == [{"dimension": "tier", "values": ["free"]}]
    listed = app.client.get("/api/v1/insights", headers=app.headers("acme", "viewer")).json()
    assert [i["sentence"] for i in listed["insights"]] == [i["sentence"] for i in body["insights"]]
    scores = [i["score"] for i in listed["insights"]]
    assert scores == sorted(scores, reverse=True)
    only = app.client.get(
        "/api/v1/insights", params={"kind": "idle_endpoint"}, headers=editor
    ).json()
    assert _found(only) == {("idle_endpoint", "old-api")}
    assert only["insights"][0]["sentence"].startswith("The old-api endpoint has had no requests")
    by_subject = app.client.get(
        "/api/v1/insights", params={"subject_kind": "tier", "subject": "free"}, headers=editor
    ).json()
    assert _found(by_subject) == {("rate_limit_pressure", "free")}


def test_one_tenant_never_sees_or_refreshes_another_tenants_insights(app):
    acme = app.headers("acme", "editor")
    _refresh_until(app, acme, {("idle_endpoint", "old-api")})
    globex = app.headers("globex", "admin")
    assert "old-api" not in str(app.client.get("/api/v1/insights", headers=globex).json())
    found = _found(_refresh_until(app, globex, {("idle_endpoint", "globex-secret")}))
    # globex's free tier was never refused: its own activity only, none of acme's.
    assert found == {("idle_endpoint", "globex-secret")}
    acme_list = app.client.get("/api/v1/insights", headers=acme).json()
    assert "globex-secret" not in str(acme_list) and "old-api" in str(acme_list)
    refused = app.client.post("/api/v1/insights/refresh", json={"tenant": "globex"}, headers=acme)
    assert refused.status_code == 403
    assert "platform role" in refused.json()["detail"]


def test_viewers_read_and_the_platform_refreshes_any_tenant(app):
    viewer = app.headers("acme", "viewer")
    assert app.client.get("/api/v1/insights", headers=viewer).status_code == 200
    answer = app.client.post("/api/v1/insights/refresh", headers=viewer)
    assert answer.status_code == 403 and "editor role" in answer.json()["detail"]
    platform = app.headers("airloom", "platform")
    tenants = app.client.get("/api/v1/insights/tenants", headers=platform)
    assert tenants.status_code == 200 and {"acme", "globex"} <= set(tenants.json()["tenants"])
    assert app.client.get("/api/v1/insights/tenants", headers=viewer).status_code == 403
    body = _refresh(app, platform, tenant="globex")
    assert body["tenant"] == "globex"
    assert "old-api" not in str(body)
    assert app.client.get("/api/v1/insights").status_code == 401


@pytest.mark.parametrize(
    ("method", "params", "body", "field"),
    [
        ("get", {"kind": "everything"}, None, "query.kind"),
        ("get", {"subject_kind": "galaxy"}, None, "query.subject_kind"),
        ("get", {"limit": 0}, None, "query.limit"),
        ("post", None, {"tenant": "../acme"}, "body.tenant"),
        ("post", None, {"as_of": "2999-01-01T00:00:00"}, "body.as_of"),
        ("post", None, {"as_of": "last tuesday"}, "body.as_of"),
        ("post", None, {"tenants": ["acme"]}, "body.tenants"),
    ],
)
def test_bad_input_gets_a_422_naming_the_field(app, method, params, body, field):
    path = "/api/v1/insights" + ("/refresh" if method == "post" else "")
    answer = app.client.request(
        method.upper(), path, params=params, json=body, headers=app.headers("acme", "editor")
    )
    assert answer.status_code == 422, answer.text
    assert field in [problem["field"] for problem in answer.json()["detail"]]
