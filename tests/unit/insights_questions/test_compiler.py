"""The compiler's SQL run on a real DuckDB holding the contract's views, checked against figures
worked out by hand from tests/unit/insights_questions/read_model.py (acme's rows; globex's
rows are there too and must never count)."""

from __future__ import annotations

from datetime import datetime

import pytest

from insights.questions.answer import answer_query, answer_question
from insights.questions.compiler import compile_query, run_query
from insights.questions.names import known_names
from insights.questions.query import Query, QueryError
from insights.questions.semantic import METRICS, SOURCES
from insights.questions.translator import QuestionContext
from tests.unit.insights_questions.read_model import contract_views, read_model

LAST_WEEK = {"start": datetime(2026, 11, 23), "end": datetime(2026, 11, 30)}


@pytest.fixture(scope="module")
def connection():  # type: ignore[no-untyped-def]
    with read_model() as connection:
        yield connection


def ask(connection, **query) -> list[dict]:  # type: ignore[no-untyped-def]
    return run_query(connection, Query(**query), tenant="acme").records()


def test_the_layer_reads_only_the_contract_columns() -> None:
    views = contract_views()
    ledger = set(views["runs"]) | set(views["invocations"]) | {"at"}
    for source in SOURCES.values():
        columns = ledger if source.name == "ledger" else set(views[source.name])
        assert source.dimensions | {source.time_column} <= columns, source.name
    assert all(expr for metric in METRICS.values() for expr in metric.expressions.values())


def test_cost_value_and_roi_add_runs_and_endpoint_invocations(connection) -> None:  # type: ignore[no-untyped-def]
    # Runs 2 + 4 + 1 and four invocations at 0.1 plus one at 0.2; value 10 + 3 and 4 x 0.5.
    [row] = ask(connection, metrics=("cost", "value", "roi"), time_range=LAST_WEEK)
    assert row["cost"] == pytest.approx(7.6)
    assert row["value"] == pytest.approx(15.0)
    assert row["roi"] == pytest.approx((15.0 - 7.6) / 7.6)


def test_cost_per_workflow_endpoint_and_node_type_read_the_view_that_has_them(connection) -> None:  # type: ignore[no-untyped-def]
    per_workflow = ask(connection, metrics=("cost",), group_by=("workflow",), time_range=LAST_WEEK)
    assert per_workflow == [
        {"workflow": "churn", "cost": pytest.approx(6.0)},
        {"workflow": "fraud-detection", "cost": pytest.approx(1.0)},
    ]
    per_endpoint = ask(connection, metrics=("cost",), group_by=("endpoint",), time_range=LAST_WEEK)
    assert per_endpoint == [
        {"endpoint": "churn-scorer", "cost": pytest.approx(0.4)},
        {"endpoint": "fraud-api", "cost": pytest.approx(0.2)},
    ]
    # Invocations belong to no workflow version: a breakdown by it is the runs' 2 + 4 + 1.
    per_version = ask(
        connection, metrics=("cost",), group_by=("workflow_version",), time_range=LAST_WEEK
    )
    assert per_version == [{"workflow_version": "1", "cost": pytest.approx(7.0)}]
    per_node = ask(connection, metrics=("cost",), group_by=("node_type",), time_range=LAST_WEEK)
    assert per_node == [
        {"node_type": "train", "cost": pytest.approx(5.5)},
        {"node_type": "kafka_ingest", "cost": pytest.approx(0.5)},
    ]


def test_unit_costs(connection) -> None:  # type: ignore[no-untyped-def]
    [per_run] = ask(connection, metrics=("cost_per_run",), time_range=LAST_WEEK)
    assert per_run["cost_per_run"] == pytest.approx(7.0 / 3)
    [per_prediction] = ask(connection, metrics=("cost_per_prediction",), time_range=LAST_WEEK)
    assert per_prediction["cost_per_prediction"] == pytest.approx(0.6 / 21)


def test_runs_failures_and_durations(connection) -> None:  # type: ignore[no-untyped-def]
    [row] = ask(
        connection,
        metrics=("runs", "failures", "failure_rate", "duration"),
        time_range=LAST_WEEK,
    )
    assert row == {
        "runs": 3,
        "failures": 1,
        "failure_rate": pytest.approx(1 / 3),
        "duration": pytest.approx(150.0),
    }
    [churn] = ask(
        connection,
        metrics=("duration_p95",),
        filters=({"dimension": "workflow", "values": ("churn",)},),
        time_range=LAST_WEEK,
    )
    assert churn["duration_p95"] == pytest.approx(100 + 0.95 * 200)


def test_latency_percentiles_errors_and_predictions_per_endpoint(connection) -> None:  # type: ignore[no-untyped-def]
    rows = ask(
        connection,
        metrics=("latency_p50", "latency_p95", "error_rate", "predictions"),
        group_by=("endpoint",),
        time_range=LAST_WEEK,
        order="asc",
    )
    # churn-scorer: 10, 20, 30, 40 ms, one not ok, 5 predictions each.
    assert rows[0] == {
        "endpoint": "churn-scorer",
        "latency_p50": pytest.approx(25.0),
        "latency_p95": pytest.approx(38.5),
        "error_rate": pytest.approx(0.25),
        "predictions": 20,
    }
    assert rows[1]["endpoint"] == "fraud-api" and rows[1]["predictions"] == 1


def test_api_calls_and_429s_per_tier(connection) -> None:  # type: ignore[no-untyped-def]
    rows = ask(
        connection,
        metrics=("api_calls", "rate_limited", "rate_limited_share"),
        group_by=("tier",),
        time_range=LAST_WEEK,
    )
    assert rows == [
        {"tier": "free", "api_calls": 5, "rate_limited": 2, "rate_limited_share": 0.4},
        {"tier": "pro", "api_calls": 1, "rate_limited": 0, "rate_limited_share": 0.0},
    ]
    [only_429] = ask(
        connection,
        metrics=("api_calls",),
        filters=({"dimension": "status", "values": ("429",)},),
    )
    assert only_429 == {"api_calls": 2}


def test_deployments_count_finished_deploys_and_rollbacks(connection) -> None:  # type: ignore[no-untyped-def]
    [row] = ask(connection, metrics=("deployments", "failed_deployments", "rollbacks"))
    assert row == {"deployments": 2, "failed_deployments": 1, "rollbacks": 1}


def test_a_time_grain_is_a_series_in_time_order(connection) -> None:  # type: ignore[no-untyped-def]
    rows = ask(connection, metrics=("runs",), grain="day", time_range=LAST_WEEK)
    assert [(r["day"].date().isoformat(), r["runs"]) for r in rows] == [
        ("2026-11-24", 1),
        ("2026-11-25", 1),
        ("2026-11-26", 1),
    ]
    weeks = ask(connection, metrics=("cost",), grain="week")
    assert [(r["week"].date().isoformat(), r["cost"]) for r in weeks] == [
        ("2026-11-16", pytest.approx(3.1)),
        ("2026-11-23", pytest.approx(7.6)),
    ]


def test_top_n_and_comparison_with_the_previous_period(connection) -> None:  # type: ignore[no-untyped-def]
    top = ask(
        connection,
        metrics=("cost",),
        group_by=("workflow",),
        time_range=LAST_WEEK,
        order="desc",
        limit=1,
    )
    assert top == [{"workflow": "churn", "cost": pytest.approx(6.0)}]
    compared = ask(
        connection,
        metrics=("cost",),
        group_by=("workflow",),
        time_range=LAST_WEEK,
        compare_previous=True,
    )
    assert compared == [
        {"workflow": "churn", "cost": 6.0, "cost_previous": 3.0, "cost_change": 3.0},
        {"workflow": "fraud-detection", "cost": 1.0, "cost_previous": None, "cost_change": None},
    ]
    [slower] = ask(
        connection,
        metrics=("latency_p95",),
        group_by=("endpoint",),
        time_range=LAST_WEEK,
        compare_previous=True,
        rank_by="change",
        order="desc",
        limit=1,
    )
    assert slower["endpoint"] == "churn-scorer"
    assert slower["latency_p95_previous"] == pytest.approx(5.0)


def test_values_are_bound_parameters_never_sql(connection) -> None:  # type: ignore[no-untyped-def]
    hostile = "churn') OR tenant <> 'acme' --"
    query = Query(metrics=("cost",), filters=({"dimension": "workflow", "values": (hostile,)},))
    compiled = compile_query(query, tenant="acme")
    assert hostile not in compiled.sql and "acme" not in compiled.sql
    assert compiled.parameters["tenant"] == "acme"
    assert run_query(connection, query, tenant="acme").records() == [{"cost": None}]


def test_the_tenant_comes_from_the_caller_and_is_required() -> None:
    with pytest.raises(QueryError, match="tenant"):
        compile_query(Query(metrics=("runs",)), tenant=" ")


def test_a_query_filtering_on_another_tenant_is_refused(connection) -> None:  # type: ignore[no-untyped-def]
    other = Query(metrics=("cost",), filters=({"dimension": "tenant", "values": ("globex",)},))
    with pytest.raises(QueryError, match="tenant can only be your own"):
        compile_query(other, tenant="acme")
    refused = answer_query(connection, other, tenant="acme")
    assert refused.status == "refused" and refused.rows == [] and refused.sql is None
    own = Query(metrics=("runs",), filters=({"dimension": "tenant", "values": ("acme",)},))
    assert run_query(connection, own, tenant="acme").records() == [{"runs": 4}]


def test_globex_sees_only_globex(connection) -> None:  # type: ignore[no-untyped-def]
    rows = run_query(
        connection, Query(metrics=("cost",), group_by=("workflow",)), tenant="globex"
    ).records()
    assert rows == [
        {"workflow": "churn", "cost": pytest.approx(1000.0)},
        {"workflow": "secret-plan", "cost": pytest.approx(500.0)},
    ]


def test_an_answer_shows_its_reading_sql_numbers_and_chart(connection) -> None:  # type: ignore[no-untyped-def]
    context = QuestionContext(
        tenant="acme", now=datetime(2026, 12, 3, 8), names={"workflow": ["churn"]}
    )
    answer = answer_question(connection, "Cost per workflow, last week", context)
    assert answer.status == "understood" and answer.interpretation is not None
    assert answer.message.startswith("Cost per workflow, last week (Mon 23 Nov")
    assert answer.interpretation.chart == "bar"
    assert answer.sql is not None and "$tenant" in answer.sql
    assert answer.columns == ["workflow", "cost"]
    assert answer.rows == [["churn", pytest.approx(6.0)], ["fraud-detection", pytest.approx(1.0)]]
    assert answer.model_dump_json()  # the service can return it as JSON

    unsure = answer_question(connection, "revenue per customer", context)
    assert unsure.status == "not_understood" and unsure.rows == [] and unsure.sql is None


def test_known_names_are_the_tenants_own(connection) -> None:  # type: ignore[no-untyped-def]
    names = known_names(connection, "acme")
    assert names["workflow"] == ["churn", "fraud-detection"]
    assert names["endpoint"] == ["churn-scorer", "fraud-api"]
    assert names["node_type"] == ["kafka_ingest", "train"]
    assert names["tier"] == ["free", "pro"]
    assert "secret-plan" in known_names(connection, "globex")["workflow"]
