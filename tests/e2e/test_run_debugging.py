"""Debugging a run without an Airflow login, on the real stack (issue 11).

A tenant's design loads a CSV file, then runs Spark SQL that Spark cannot parse. Through the
stack's builder only, its designer sees: the node failed at its first try although it may retry,
with Spark's own one-line message, as soon as it failed; the end of the node's log (which the
other tenant cannot read); the first rows the loading node wrote; the failed node run again by
retryRun; and a run that the schedule started, listed with the version it ran.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from tests.e2e.stack_api import Builder, wait_until
from tests.harness.stack import LocalStack
from tests.integration.builder import queries
from tests.integration.builder.specs import node, spec

pytestmark = pytest.mark.e2e

ROWS = 8
ORDERS = "id,amount\n" + "\n".join(f"{i},{10 + i}.5" for i in range(ROWS))
# Valid to the design's checks (one read-only query over its input); Spark's parser refuses it.
BAD_SQL = "SELECT id FROM orders FETCH FIRST 5 ROWS ONLY"
SPARK_SAYS = "[PARSE_SYNTAX_ERROR] Syntax error at or near 'FIRST'"
RETRY_DELAY = 300  # a retry would keep the run going this long

NODES = "nodeId state tryNumber start end error"
RUN = f"query($id: ID!) {{ run(id: $id) {{ id state runType nodes {{ {NODES} }} }} }}"
LOG_TAIL = "query($id: ID!) { run(id: $id) { nodes { nodeId logTail(lines: 200) } } }"
PREVIEW = """query($id: ID!) { run(id: $id) { nodes { nodeId
  preview(rows: 3) { dataset port columns { name type } rows rowCount moreColumns } } } }"""
RETRY = """mutation($id: ID!, $node: String) {
  retryRun(id: $id, fromNode: $node) { id recordedState } }"""
RUNS = """query($id: ID!) { workflow(id: $id) {
  runs { id airflowRunId runType triggeredBy version } } }"""


def debugging_design() -> dict[str, Any]:
    return spec(
        "debugging",
        defaults={"retries": 0, "retryDelaySeconds": RETRY_DELAY},
        nodes=[
            node(
                "load",
                "file_ingest",
                {"source": "lake://landing/debugging/*.csv", "format": "csv", "dataset": "orders"},
            ),
            # The node may retry; a statement that cannot parse must not wait for it.
            {
                **node(
                    "clean", "spark_transform", {"sql": BAD_SQL, "output_dataset": "clean"}, 200
                ),
                "retries": 1,
                "timeoutSeconds": 900,
            },
        ],
        edges=[{"source": "load.table", "target": "clean.tables"}],
    )


@dataclass
class FailedRun:
    builder: Builder
    workflow_id: str
    run_id: str
    seen: dict[str, Any]  # the run as the builder first showed it failed
    seconds_to_see: float  # from the node's end to the builder showing the run failed


def nodes_of(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {found["nodeId"]: found for found in run["nodes"]}


def ended(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def failed(stack: LocalStack) -> Iterator[FailedRun]:
    tenant = stack.tenants[0]
    landing = stack.home / "lake" / "tenants" / tenant.name / "landing" / "debugging"
    landing.mkdir(parents=True, exist_ok=True)
    (landing / "orders.csv").write_text(ORDERS)
    builder = Builder(stack, tenant.builder_token)
    workflow_id, _ = builder.create_and_publish(debugging_design())
    run_id = builder.data(queries.TRIGGER, id=workflow_id)["triggerRun"]["id"]

    def failed_run() -> dict[str, Any] | None:
        run = builder.data(RUN, id=run_id)["run"]
        return run if run["state"] == "failed" else None

    seen = wait_until(failed_run, timeout=400, interval=0.5)
    seconds = time.time() - ended(nodes_of(seen)["clean"]["end"]).timestamp()
    yield FailedRun(builder, workflow_id, run_id, seen, seconds)


def test_a_failed_sql_node_says_why_at_its_first_try(failed: FailedRun) -> None:
    load, clean = nodes_of(failed.seen)["load"], nodes_of(failed.seen)["clean"]
    assert (load["state"], load["error"]) == ("success", None)
    assert clean["state"] == "failed"
    assert clean["error"].startswith(SPARK_SAYS), clean["error"]
    assert "\n" not in clean["error"] and "\tat " not in clean["error"]
    # One try, though it had a retry: Spark's parser would refuse the statement every time.
    assert clean["tryNumber"] == 1
    # Seen by the builder within seconds of the node's end, not after a retry delay.
    assert failed.seconds_to_see < 30, failed.seconds_to_see


def test_the_log_tail_comes_through_the_builder_to_its_tenant_only(
    stack: LocalStack, failed: FailedRun
) -> None:
    tails = {
        n["nodeId"]: n["logTail"]
        for n in failed.builder.data(LOG_TAIL, id=failed.run_id)["run"]["nodes"]
    }
    assert SPARK_SAYS in tails["clean"] and "Task failed with exception" in tails["clean"]
    assert len(tails["clean"].splitlines()) <= 200
    assert tails.get("load")

    other = Builder(stack, stack.tenants[1].builder_token)
    for query, variables in (
        (LOG_TAIL, {"id": failed.run_id}),
        (RETRY, {"id": failed.run_id, "node": "clean"}),
    ):
        errors = other.call(query, **variables)["errors"]
        assert [error["extensions"]["code"] for error in errors] == ["NOT_FOUND"], errors


def test_a_node_shows_the_first_rows_it_wrote(failed: FailedRun) -> None:
    nodes = nodes_of(failed.builder.data(PREVIEW, id=failed.run_id)["run"])
    preview = nodes["load"]["preview"]
    assert (preview["dataset"], preview["port"], preview["rowCount"]) == ("orders", "table", ROWS)
    assert {"id", "amount"} <= {column["name"] for column in preview["columns"]}
    assert len(preview["rows"]) == 3 and preview["moreColumns"] == 0
    column = [c["name"] for c in preview["columns"]].index("id")
    assert {row[column] for row in preview["rows"]} <= set(range(ROWS))
    assert nodes["clean"]["preview"] is None  # it wrote nothing


def test_retry_run_runs_the_node_again_and_not_what_came_before(failed: FailedRun) -> None:
    retried = failed.builder.data(RETRY, id=failed.run_id, node="clean")["retryRun"]
    assert retried == {"id": failed.run_id, "recordedState": "queued"}

    def failed_again() -> dict[str, Any] | None:
        run = failed.builder.data(RUN, id=failed.run_id)["run"]
        clean = nodes_of(run)["clean"]
        return run if run["state"] == "failed" and clean["tryNumber"] == 2 else None

    run = wait_until(failed_again, timeout=400, interval=1)
    nodes = nodes_of(run)
    assert nodes["load"]["tryNumber"] == 1  # upstream of the node: untouched
    assert nodes["clean"]["error"].startswith(SPARK_SAYS)  # the version the run ran, again
    listed = failed.builder.data(RUNS, id=failed.workflow_id)["workflow"]["runs"]
    assert [(r["id"], r["runType"], r["version"]) for r in listed] == [(failed.run_id, "manual", 1)]


def test_a_scheduled_run_is_listed_with_the_version_it_ran(stack: LocalStack) -> None:
    tenant = stack.tenants[0]
    builder = Builder(stack, tenant.builder_token)
    airflow = stack.airflow()

    def nightly(dataset: str) -> dict[str, Any]:
        source = {"source": "lake://landing/debugging/*.csv", "format": "csv", "dataset": dataset}
        return spec("nightly", schedule="@daily", nodes=[node("load", "file_ingest", source)])

    workflow_id, dag_id = builder.create_and_publish(nightly("nightly_v1"))
    builder.data(queries.UPDATE, id=workflow_id, expected=1, spec=nightly("nightly_v2"))
    assert builder.data(queries.PUBLISH, id=workflow_id, version=2)["publishWorkflow"]["published"]
    wait_until(lambda: "version:2" in str((airflow.get_dag(dag_id) or {}).get("tags")), 240, 1)
    # Nobody triggers it: unpaused, Airflow starts the latest day's run on its own.
    airflow.set_paused(dag_id, False)
    scheduled = wait_until(
        lambda: [run for run in airflow.list_runs(dag_id) if run.run_type == "scheduled"], 240, 1
    )[0]
    airflow.set_paused(dag_id, True)
    # Version 3 is published before the builder first hears of the run: it ran version 2.
    builder.data(queries.UPDATE, id=workflow_id, expected=2, spec=nightly("nightly_v3"))
    assert builder.data(queries.PUBLISH, id=workflow_id, version=3)["publishWorkflow"]["published"]

    listed = builder.data(RUNS, id=workflow_id)["workflow"]["runs"]
    assert [(r["airflowRunId"], r["runType"], r["triggeredBy"], r["version"]) for r in listed] == [
        (scheduled.run_id, "scheduled", "schedule", 2)
    ]
    everything = builder.data("{ runs(first: 100) { id } }")["runs"]
    assert listed[0]["id"] in {run["id"] for run in everything}
    shown = builder.data(RUN, id=listed[0]["id"])["run"]
    assert (shown["runType"], set(nodes_of(shown))) == ("scheduled", {"load"})
