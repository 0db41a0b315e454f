"""Activity sent to the topic shows up in ROI within seconds, priced by the rates file
(local.yaml's figures, worked out by hand below) and valued by the tenant's definitions."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.integration.insights.conftest import Insights, event, eventually

# insights/rates/local.yaml, USD per hour: a task of any other node type is a worker-hour.
WORKER, SPARK, TRAINING, SERVING = 0.06, 4 * 0.05 + 16 * 0.006, 0.25, 0.12


def churn_run(tenant: str, run_id: str, state: str, tasks: list[tuple[str, str, float]]) -> list:
    """A run's events as the listener sends them: started, each task ended, run ended."""
    common = {"dag_id": "wf_churn", "run_id": run_id, "workflow": "churn", "workflow_version": 3}
    started = event("dag_run", tenant, state="running", run_type="manual", **common)
    ended_tasks = [
        event(
            "task_run",
            tenant,
            task_id=task_id,
            node_type=node_type,
            state=state,
            try_number=1,
            duration_s=seconds,
            **common,
        )
        for task_id, node_type, seconds in tasks
    ]
    total = sum(seconds for _, _, seconds in tasks)
    ended = event("dag_run", tenant, state=state, run_type="manual", duration_s=total, **common)
    return [started, *ended_tasks, ended]


# acme's whole activity below, priced: the churn runs, the stack check, the serving time.
CHURN_COST = (600 * WORKER + 1800 * SPARK + 720 * TRAINING + 360 * WORKER) / 3600
ACME_COST = CHURN_COST + 120 * WORKER / 3600 + (3 * 180 + 30) * SERVING / 3_600_000


@pytest.fixture(scope="module")
def acme_activity(insights: Insights) -> dict[str, float]:
    """acme's values set, then its activity sent and landed; returns how long landing took.

    Runs, tasks and requests land independently (a run's finished event can be read before
    its tasks'), so everything has landed only when acme's totals count all of it."""
    editor = insights.headers("acme")
    for body in (
        {"target_kind": "workflow", "target": "churn", "basis": "per_run", "amount_usd": "5"},
        {
            "target_kind": "workflow",
            "target": "churn",
            "basis": "per_hour_saved",
            "amount_usd": "40",
            "quantity": "0.5",
        },
        {
            "target_kind": "endpoint",
            "target": "churn-api",
            "basis": "per_prediction",
            "amount_usd": "0.01",
        },
    ):
        assert insights.client.post("/api/v1/values", json=body, headers=editor).status_code == 201
    success = churn_run(
        "acme",
        "r1",
        "success",
        [
            ("ingest", "kafka_ingest", 600),
            ("transform", "spark_transform", 1800),
            ("train", "train", 720),
        ],
    )
    failed = churn_run("acme", "r2", "failed", [("ingest", "kafka_ingest", 360)])
    builtin = event(
        "dag_run", "acme", dag_id="stack_check", run_id="s1", state="success", duration_s=120
    )
    invocations = [
        event(
            "invocation",
            "acme",
            endpoint="churn-api",
            model="churn",
            model_version="2",
            predictions=100,
            latency_ms=180,
            ok=True,
            target="local",
        )
        for _ in range(3)
    ]
    invocations.append(
        event(
            "invocation",
            "acme",
            endpoint="churn-api",
            model="churn",
            model_version="2",
            predictions=0,
            latency_ms=30,
            ok=False,
            target="local",
        )
    )
    sent_at = time.monotonic()
    # The finished run's event sent twice (a producer's retry): it counts once.
    insights.send(*success, success[-1], *failed, builtin, *invocations)

    def landed() -> dict | None:
        totals = roi(insights, by="tenant")["totals"]
        whole = totals["runs"] == 3 and totals["predictions"] == 300
        return totals if whole and totals["cost_usd"] == pytest.approx(ACME_COST) else None

    eventually(landed)
    return {"landing_s": time.monotonic() - sent_at}


def roi(insights: Insights, tenant: str = "acme", **params: str) -> dict:
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    response = insights.client.get(
        "/api/v1/roi", params={"since": since, **params}, headers=insights.headers(tenant, "viewer")
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_runs_show_in_roi_within_seconds_priced_by_the_rates(insights, acme_activity):
    assert acme_activity["landing_s"] < 10  # landed and queryable in seconds
    (churn,) = [r for r in roi(insights, by="workflow")["rows"] if r["key"] == "churn"]
    success_cost = (600 * WORKER + 1800 * SPARK + 720 * TRAINING) / 3600  # 0.01 + 0.148 + 0.05
    failed_cost = 360 * WORKER / 3600
    assert churn["runs"] == 2 and churn["failures"] == 1
    assert churn["cost_usd"] == pytest.approx(success_cost + failed_cost)
    assert churn["cost_usd"] == pytest.approx(0.214)
    # Only the successful run returns value: 5 per run + 40 per hour saved * 0.5 hours.
    assert churn["value_usd"] == pytest.approx(25.0)
    assert churn["roi"] == pytest.approx((25.0 - 0.214) / 0.214)


def test_a_dag_without_a_workflow_is_named_by_its_dag_id_and_costs_its_duration(
    insights, acme_activity
):
    rows = eventually(
        lambda: [r for r in roi(insights, by="workflow")["rows"] if r["key"] == "stack_check"]
    )
    assert rows[0]["cost_usd"] == pytest.approx(120 * WORKER / 3600)
    assert rows[0]["value_usd"] == 0 and rows[0]["roi"] == pytest.approx(-1.0)


def test_endpoints_and_models_return_through_their_predictions(insights, acme_activity):
    serving_cost = (3 * 180 + 30) * SERVING / 3_600_000
    for by, key in (("endpoint", "churn-api"), ("model", "churn")):
        rows = eventually(
            lambda by=by, key=key: [
                r for r in roi(insights, by=by)["rows"] if r["key"] == key and r["predictions"]
            ]
        )
        assert rows[0]["predictions"] == 300  # the failed request's rows are not predictions
        assert rows[0]["cost_usd"] == pytest.approx(serving_cost)
        assert rows[0]["value_usd"] == pytest.approx(3.0)


def test_kpis_and_the_tenant_row_add_runs_and_serving(insights, acme_activity):
    tenant = roi(insights, by="tenant", grain="month")
    (row,) = tenant["rows"]
    assert row["key"] == "acme" and row["period_start"].startswith(
        datetime.now(UTC).strftime("%Y-%m-01")
    )
    expected_cost = 0.214 + 120 * WORKER / 3600 + (3 * 180 + 30) * SERVING / 3_600_000
    assert expected_cost == pytest.approx(ACME_COST)
    assert row["cost_usd"] == pytest.approx(expected_cost)
    assert row["value_usd"] == pytest.approx(28.0)
    kpis = insights.client.get("/api/v1/kpis", headers=insights.headers("acme", "viewer")).json()
    assert (kpis["runs"], kpis["failures"], kpis["predictions"]) == (3, 1, 300)
    assert kpis["cost_usd"] == pytest.approx(expected_cost)
    assert kpis["roi"] == pytest.approx((28.0 - expected_cost) / expected_cost)
    assert kpis["rates_environment"] == "local"


def test_another_tenant_never_sees_these_figures(insights, acme_activity):
    insights.send(
        event(
            "dag_run",
            "globex",
            dag_id="wf_fraud",
            run_id="g1",
            workflow="fraud",
            state="success",
            duration_s=3600,
        )
    )
    globex = eventually(lambda: roi(insights, "globex", by="workflow")["rows"])
    assert [r["key"] for r in globex] == ["fraud"]
    assert globex[0]["cost_usd"] == pytest.approx(WORKER)
    for by in ("workflow", "endpoint", "model", "tenant"):
        keys = {r["key"] for r in roi(insights, "globex", by=by)["rows"]}
        assert not keys & {"churn", "churn-api", "stack_check", "acme"}
    kpis = insights.client.get("/api/v1/kpis", headers=insights.headers("globex")).json()
    assert (kpis["runs"], kpis["predictions"]) == (1, 0)
    # acme's figures did not move either.
    assert roi(insights, by="tenant")["totals"]["runs"] == 3


def test_roi_is_null_where_nothing_cost_anything(insights):
    empty = roi(insights, "initech", by="tenant")
    assert empty["rows"] == [] and empty["totals"]["roi"] is None


def contract_columns() -> dict[str, list[str]]:
    """Each view's columns as docs/insights.md's read-model table lists them."""
    text = (Path(__file__).resolve().parents[3] / "docs" / "insights.md").read_text()
    section = text[text.index("## The read model") :]
    section = section[: section.index("\n## ", 1)]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", section, flags=re.MULTILINE)
    return {view: re.findall(r"`(\w+)`", columns) for view, columns in rows}


def test_the_views_have_exactly_the_contract_columns(insights, acme_activity):
    expected = contract_columns()
    assert set(expected) == {
        "runs",
        "task_runs",
        "invocations",
        "deployments",
        "api_calls",
        "aws_usage",
    }
    with insights.app.state.read_model.connect("acme") as db:
        for view, columns in expected.items():
            described = db.execute(f"DESCRIBE {view}").fetchall()
            assert [name for name, *_ in described] == columns, view
            types = {name: kind for name, kind, *_ in described}
            assert types.get("workflow_version", "INTEGER") == "INTEGER"
            assert all(types[c] == "TIMESTAMP WITH TIME ZONE" for c in columns if c.endswith("at"))
            assert types.get("cost_usd", "DOUBLE") == "DOUBLE"
