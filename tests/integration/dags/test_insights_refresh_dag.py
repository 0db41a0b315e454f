"""The hourly insights refresh DAG: it parses with its schedule, and a run asks a real
insights service (activity sent over the real broker, served over HTTP) to refresh each
tenant's insights, with a platform token or with each tenant's own token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from airloom.connections import INSIGHTS_CONN_ID
from airloom.insights_refresh import RefreshFailed, RefreshTarget, refresh_tenant
from insights.app import create_app
from tests.harness.airflow import load_dag_file, run_dag_object
from tests.harness.asgi_server import serve_app
from tests.integration.insights.conftest import (
    Insights,
    event,
    eventually,
    insights_settings,
    open_insights,
)

DAG_FILE = Path(__file__).resolve().parents[3] / "dags" / "insights_refresh.py"
DAG_ID = "airloom_insights_refresh"


def _calls(tenant: str, refused: int) -> list[dict]:
    now = datetime.now(UTC)
    return [
        event(
            "api_call",
            tenant,
            now - timedelta(hours=2, minutes=i),
            service="marketplace",
            route="/api/v1/models",
            method="GET",
            status=429 if i < refused else 200,
            tier="free",
            rate_limited=i < refused,
        )
        for i in range(250)
    ]


def test_the_dag_parses_with_its_hourly_schedule(airflow_db) -> None:
    dag = load_dag_file(DAG_FILE, DAG_ID)
    assert dag.catchup is False
    assert set(dag.task_ids) == {"tenants_to_refresh", "refresh"}
    assert dag.get_task("refresh").is_mapped  # one task instance per tenant


@pytest.fixture(scope="module")
def service(broker, airflow_db, tmp_path_factory) -> Iterator[tuple[Insights, str]]:
    folder = tmp_path_factory.mktemp("insights-refresh-dag")
    settings = insights_settings(broker.url, folder / "lake", f"sqlite:///{folder / 'i.db'}")
    with open_insights(settings) as insights:
        insights.send(*_calls("acme", 50), *_calls("globex", 0))
        platform = insights.headers("airloom", "platform")

        def landed() -> bool:  # every call of both tenants is in the lake
            counts = []
            for tenant in ("acme", "globex"):
                with insights.app.state.read_model.connect(tenant) as db:
                    counts.append(db.execute("SELECT count(*) FROM api_calls").fetchone()[0])
            return counts == [250, 250]

        eventually(landed, timeout=30)
        # Nothing is stored until a refresh runs: the DAG's run is what fills the list.
        assert insights.client.get("/api/v1/insights", headers=platform).json()["insights"] == []
        served = create_app(settings.model_copy(update={"consume_enabled": False}))
        with serve_app(served) as url:
            yield insights, url


def _connection(url: str, **fields) -> str:
    return json.dumps({"conn_type": "http", "host": url, **fields})


def test_a_run_with_a_platform_token_refreshes_every_tenant_with_activity(service, monkeypatch):
    insights, url = service
    platform = insights.headers("airloom", "platform")["Authorization"][7:]
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{INSIGHTS_CONN_ID.upper()}", _connection(url, password=platform)
    )
    result = run_dag_object(load_dag_file(DAG_FILE, DAG_ID))
    assert result.succeeded, result.task_states
    assert result.xcoms["tenants_to_refresh"] == ["acme", "globex"]
    acme = insights.client.get("/api/v1/insights", headers=insights.headers("acme", "viewer"))
    sentences = [i["sentence"] for i in acme.json()["insights"]]
    assert sentences == [
        "20% of the free tier's API calls were refused by the rate limit in the last 7 days "
        "(50 of 250, most on /api/v1/models)."
    ]
    globex = insights.client.get("/api/v1/insights", headers=insights.headers("globex", "viewer"))
    assert globex.json()["insights"] == []  # its own calls were never refused


def test_without_a_platform_token_each_tenant_is_refreshed_with_its_own(service, monkeypatch):
    insights, url = service
    tokens = {
        "acme": insights.headers("acme", "editor")["Authorization"][7:],
        "globex": insights.headers("globex", "admin")["Authorization"][7:],
    }
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{INSIGHTS_CONN_ID.upper()}",
        _connection(url, extra={"tenant_tokens": tokens}),
    )
    result = run_dag_object(load_dag_file(DAG_FILE, DAG_ID))
    assert result.succeeded, result.task_states
    assert result.xcoms["tenants_to_refresh"] == ["acme", "globex"]
    # A viewer's token (enough for the weekly report) cannot refresh: the error says why.
    viewer = insights.headers("acme", "viewer")["Authorization"][7:]
    target = RefreshTarget(url, None, {"acme": viewer})
    with pytest.raises(RefreshFailed, match="403: refreshing insights needs the editor role"):
        refresh_tenant(target, "acme")
    with pytest.raises(RefreshFailed, match="a token for tenant 'initech'"):
        refresh_tenant(target, "initech")
