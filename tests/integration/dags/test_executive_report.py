"""The weekly executive report DAG: it parses in Airflow's DagBag with its Monday schedule, and
a run reads each tenant's week from a real insights service (activity sent over the real
broker) with that tenant's own token, and stores both formats in the lake, per tenant."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from airloom.connections import INSIGHTS_CONN_ID, LAKE_CONN_ID
from airloom.reports import formatting
from airloom.reports.job import ReportSetupError, insights_target, store_report
from airloom_cli.stack.airflow_setup import airloom_connections
from airloom_cli.stack.services import stack_services
from airloom_cli.stack.settings import StackSettings
from insights.app import create_app
from tests.harness.airflow import load_dag_file, run_dag
from tests.harness.asgi_server import serve_app
from tests.integration.insights.conftest import (
    Insights,
    event,
    eventually,
    insights_settings,
    open_insights,
)
from tests.unit.reports.sample import TOP_INSIGHT, sample_report

DAG_FILE = Path(__file__).resolve().parents[3] / "dags" / "executive_report.py"
DAG_ID = "airloom_executive_report"
WEEK = "2026-W48"
IN_WEEK = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday of WEEK
OUTSIDE = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # the Tuesday after it


def pdf_text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)


def test_the_dag_parses_with_its_weekly_schedule(airflow_db) -> None:
    dag = load_dag_file(DAG_FILE, DAG_ID)
    assert dag.catchup is False
    assert dag.timetable.expression == "0 6 * * 1"  # Mondays 06:00
    assert str(dag.timetable.timezone) == "UTC"
    assert set(dag.task_ids) == {"week_to_report", "tenants_to_report", "publish_report"}
    assert dag.get_task("publish_report").is_mapped  # one task instance per tenant


def test_the_rendering_task_writes_both_files_into_the_lake(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    written = store_report(sample_report("acme", WEEK), lake.as_uri())
    folder = lake / "_airloom" / "reports" / "tenant=acme"
    assert sorted(p.name for p in folder.iterdir()) == [f"{WEEK}.html", f"{WEEK}.pdf"]
    assert written == {
        f: f"{lake.as_uri()}/_airloom/reports/tenant=acme/{WEEK}.{f}" for f in ("html", "pdf")
    }
    assert "$12.34" in pdf_text((folder / f"{WEEK}.pdf").read_bytes())
    assert TOP_INSIGHT in (folder / f"{WEEK}.html").read_text()
    # A rerun of the week replaces its files and leaves nothing in flight behind.
    store_report(sample_report("acme", WEEK), lake.as_uri())
    assert len(list(folder.iterdir())) == 2


def test_the_local_stack_gives_the_dag_its_tenants_token(tmp_path: Path) -> None:
    settings = StackSettings(home=tmp_path)
    connection = airloom_connections(settings)[INSIGHTS_CONN_ID]
    (service,) = [s for s in stack_services(settings) if s.name == "insights"]
    (bootstrap,) = json.loads(service.env["AIRLOOM_INSIGHTS_BOOTSTRAP_TOKENS"])
    with pytest.MonkeyPatch.context() as env:
        env.setenv(f"AIRFLOW_CONN_{INSIGHTS_CONN_ID.upper()}", json.dumps(connection))
        target = insights_target()
    assert target.base_url == settings.url(settings.insights_port)
    assert target.tenant_tokens == {bootstrap["tenant"]: bootstrap["token"]}


@pytest.mark.parametrize(
    ("connection", "message"),
    [
        ({"conn_type": "http"}, "has no host (the insights service URL)"),
        (
            {"conn_type": "http", "host": "http://x", "extra": {"tenant_tokens": ["acme"]}},
            "'tenant_tokens' of connection 'airloom_insights' must be an object",
        ),
        (
            {"conn_type": "http", "host": "http://x", "extra": {"tenant_tokens": {"../x": "t"}}},
            "names no tenant: ../x",
        ),
    ],
)
def test_a_wrong_connection_says_what_is_wrong(connection: dict, message: str) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(f"AIRFLOW_CONN_{INSIGHTS_CONN_ID.upper()}", json.dumps(connection))
        with pytest.raises(ReportSetupError, match=re.escape(message)):
            insights_target()


def run_events(tenant: str, workflow: str, run_id: str, state: str, seconds: float, at: datetime):
    common = {"dag_id": f"wf_{workflow}", "run_id": run_id, "workflow": workflow}
    task = event(
        "task_run",
        tenant,
        at,
        task_id="train",
        node_type="train",
        state=state,
        try_number=1,
        duration_s=seconds,
        ended_at=at.isoformat(),
        **common,
    )
    ended = event(
        "dag_run",
        tenant,
        at,
        state=state,
        run_type="scheduled",
        duration_s=seconds,
        ended_at=at.isoformat(),
        **common,
    )
    return [task, ended]


@pytest.fixture(scope="module")
def reporting(broker, airflow_db, tmp_path_factory) -> Iterator[tuple[Insights, Path, dict]]:
    """An insights service over HTTP with acme's and globex's week in it, and the DAG's
    connections pointing at it and at its lake; yields the service, the lake and the tokens."""
    folder = tmp_path_factory.mktemp("executive-report")
    lake = folder / "lake"
    settings = insights_settings(broker.url, lake, f"sqlite:///{folder / 'insights.db'}")
    with open_insights(settings) as insights:
        acme, globex = insights.headers("acme", "editor"), insights.headers("globex", "viewer")
        value = {
            "target_kind": "workflow",
            "target": "churn",
            "basis": "per_run",
            "amount_usd": "7.5",
        }
        assert insights.client.post("/api/v1/values", json=value, headers=acme).status_code == 201
        insights.send(
            *run_events("acme", "churn", "a1", "success", 3600, IN_WEEK),
            *run_events("acme", "churn", "a2", "success", 1800, IN_WEEK),
            *run_events("acme", "churn", "a3", "failed", 900, IN_WEEK),
            *run_events("acme", "churn", "a4", "success", 7200, OUTSIDE),  # next week's
            *run_events("globex", "globex_secret_flow", "g1", "success", 600, IN_WEEK),
        )
        week = {"since": "2026-11-23T00:00:00Z", "until": "2026-11-30T00:00:00Z"}

        def landed() -> bool:
            a = insights.client.get("/api/v1/kpis", params=week, headers=acme).json()
            g = insights.client.get("/api/v1/kpis", params=week, headers=globex).json()
            return a["runs"] == 3 and g["runs"] == 1

        eventually(landed, timeout=30)
        tokens = {"acme": acme["Authorization"][7:], "globex": globex["Authorization"][7:]}
        # The DAG reads through HTTP, as on a stack: serve a second app on the same database.
        served = create_app(settings.model_copy(update={"consume_enabled": False}))
        with serve_app(served) as url, pytest.MonkeyPatch.context() as env:
            env.setenv(
                f"AIRFLOW_CONN_{LAKE_CONN_ID.upper()}",
                json.dumps({"conn_type": "fs", "extra": {"path": lake.as_uri()}}),
            )
            env.setenv(
                f"AIRFLOW_CONN_{INSIGHTS_CONN_ID.upper()}",
                json.dumps({"conn_type": "http", "host": url, "extra": {"tenant_tokens": tokens}}),
            )
            yield insights, lake, {"acme": acme, "globex": globex, "week": week}


def test_a_run_stores_each_tenants_report_from_its_own_figures(reporting) -> None:
    insights, lake, context = reporting
    result = run_dag(DAG_ID, conf={"week": WEEK})
    assert result.succeeded, result.task_states
    reports = lake / "_airloom" / "reports"
    assert sorted(p.name for p in reports.iterdir()) == ["tenant=acme", "tenant=globex"]

    kpis = insights.client.get("/api/v1/kpis", params=context["week"], headers=context["acme"])
    acme_kpis = kpis.json()
    acme_pdf = pdf_text((reports / "tenant=acme" / f"{WEEK}.pdf").read_bytes())
    assert "Executive summary: acme" in acme_pdf
    assert formatting.money(acme_kpis["cost_usd"]) in acme_pdf
    assert formatting.money(15.0) in acme_pdf  # two successful runs at $7.50 each
    assert "33.3%" in acme_pdf  # one of its three runs in the week failed
    assert "churn" in acme_pdf and "globex_secret_flow" not in acme_pdf
    acme_html = (reports / "tenant=acme" / f"{WEEK}.html").read_text()
    assert "globex" not in acme_html

    globex_pdf = pdf_text((reports / "tenant=globex" / f"{WEEK}.pdf").read_bytes())
    assert "globex_secret_flow" in globex_pdf and "churn" not in globex_pdf
    assert "$7.50" not in globex_pdf and "acme" not in globex_pdf

    # The API lists each tenant's new report for that tenant alone.
    listed = insights.client.get("/api/v1/reports", headers=context["globex"]).json()
    assert [(r["week"], r["formats"]) for r in listed["reports"]] == [(WEEK, ["html", "pdf"])]
