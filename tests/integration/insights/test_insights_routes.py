"""Automated insights through the service: activity sent on the real broker lands in the
lake, a refresh runs the detectors on the tenant's read model and stores what they find, the
list is ranked and filtered, tenant-scoped (one tenant never sees another's), refreshing
needs the editor role (another tenant's: platform), and bad input gets a 422 naming it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from insights.detection.insight import last_complete_week
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


def _slower_runs(tenant: str, workflow: str) -> list[dict]:
    """Three runs a week of 10 minutes for four weeks, then three of 30 minutes last week."""
    start, _ = last_complete_week(NOW)
    events = []
    for back, seconds in ((4, 600), (3, 600), (2, 600), (1, 600), (0, 1800)):
        for n in range(3):
            ended = start - timedelta(weeks=back) + timedelta(days=2 * n, hours=3)
            events.append(
                event(
                    "dag_run",
                    tenant,
                    ended,
                    dag_id=workflow,
                    run_id=f"{workflow}-{back}-{n}",
                    workflow=workflow,
                    run_type="scheduled",
                    state="success",
                    started_at=(ended - timedelta(seconds=seconds)).isoformat(),
                    ended_at=ended.isoformat(),
                    duration_s=float(seconds + n),
                )
            )
    return events


def _slower_deployment(tenant: str, endpoint: str) -> list[dict]:
    """An endpoint whose new version, ready 3 days ago, answers three times slower."""
    deployed = NOW - timedelta(days=3)
    events = [
        event("deployment", tenant, deployed, endpoint=endpoint, model="scorer-model",
              model_version="2", action="deploy", state="ready", target="local")
    ]  # fmt: skip
    for i in range(1300):  # about 770 before and 530 after: 400 a side are needed
        at = NOW - timedelta(days=7) + timedelta(minutes=7.5 * i)
        slower = 3 if at >= deployed else 1
        events.append(
            event("invocation", tenant, at, endpoint=endpoint, model="scorer-model",
                  model_version="2" if slower == 3 else "1", predictions=1,
                  latency_ms=float(slower * (20 + i % 50)), ok=True, target="local")
        )  # fmt: skip
    return events


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
            *_slower_runs("initech", "nightly"),
            *_slower_deployment("initech", "scorer"),
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

    try:
        eventually(attempt)
    except AssertionError:
        raise AssertionError(f"{wanted} not found; last refresh: {last}") from None
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


def test_runs_and_deployments_are_judged_on_the_service_read_model(app):
    """The detectors on the real views (priced, TIMESTAMPTZ), from events sent as producers do."""
    wanted = {("duration_jump", "nightly"), ("latency_regression", "scorer")}
    body = _refresh_until(app, app.headers("initech", "editor"), wanted)
    assert _found(body) == wanted, body
    slower = next(i for i in body["insights"] if i["kind"] == "duration_jump")
    assert slower["sentence"].startswith("Runs of the nightly workflow took 30.0 min (median)")
    assert slower["sentence"].endswith("3.0\u00d7 their usual 10.0 min.")
    latency = next(i for i in body["insights"] if i["kind"] == "latency_regression")
    assert "after scorer-model version 2 was deployed" in latency["sentence"]
    assert (
        latency["evidence"]["figures"]["p95_after_ms"]
        > 2.5 * latency["evidence"]["figures"]["p95_before_ms"]
    )


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
