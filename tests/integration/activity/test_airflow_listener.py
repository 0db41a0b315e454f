"""Real DAG runs (``dag.test()``, which calls Airflow's listeners as the scheduler and the task
runner do) send ``dag_run`` and ``task_run`` events with the right tenant, workflow and node
type to the real broker."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from airflow.sdk import DAG, task
from airflow.sdk.exceptions import AirflowSkipException

from airloom.activity import producer as activity
from airloom.activity.events import DagRunEvent, TaskRunEvent
from airloom.tenancy import TenantScope
from airloom.workflow.factory import build_dag
from tests.harness.airflow import run_dag_object
from tests.harness.servers import RunningServer
from tests.integration.activity.reading import new_tenant, read_events
from tests.integration.operators.ingest_support import connect, produce

ORDERS = {"type": "object", "properties": {"id": {"type": "integer"}}}


@pytest.fixture
def activity_broker(
    monkeypatch: pytest.MonkeyPatch, broker: RunningServer, lake: Path, airflow_db: Path
) -> RunningServer:
    connect(monkeypatch, lake, broker)
    monkeypatch.setenv(activity.BOOTSTRAP_ENV, broker.url)
    return broker


def workflow(tenant: str) -> DAG:
    """Version 4 of the tenant's 'orders' workflow, built by the factory as Airflow will."""
    document = {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "orders"},
        "defaults": {"retries": 0},
        "nodes": [
            {
                "id": "land_orders",
                "type": "kafka_ingest",
                "params": {
                    "topic": "orders",
                    "dataset": "orders",
                    "record_schema": ORDERS,
                    "max_records": 2,
                    "max_seconds": 10,
                },
            }
        ],
        "edges": [],
    }
    return build_dag(document, workflow_id="w123", version=4, scope=TenantScope(tenant))


def test_a_workflow_run_reports_its_run_and_its_nodes_as_the_tenants(
    activity_broker: RunningServer,
) -> None:
    tenant, other = new_tenant("acme"), new_tenant("globex")
    produce(
        activity_broker.url, f"{tenant}.orders", [json.dumps({"id": i}).encode() for i in (1, 2)]
    )
    result = run_dag_object(workflow(tenant))
    assert result.succeeded, result.task_states

    events = read_events(activity_broker.url, lambda e: e.tenant == tenant, count=2)
    runs = [e for e in events if isinstance(e, DagRunEvent)]
    tasks = [e for e in events if isinstance(e, TaskRunEvent)]
    assert [(r.state, r.run_id) for r in runs][-1] == ("success", result.run_id)
    finished = runs[-1]
    assert (finished.workflow, finished.workflow_version) == ("orders", 4)
    assert finished.dag_id == f"wf-{tenant}-orders"
    assert finished.duration_s is not None and finished.duration_s >= 0
    [node] = tasks
    assert (node.task_id, node.node_type, node.state) == ("land_orders", "kafka_ingest", "success")
    assert (node.workflow, node.workflow_version, node.try_number) == ("orders", 4, 1)
    assert node.ended_at >= node.started_at and node.duration_s >= 0
    # Another tenant, reading its own events, finds none of these.
    assert read_events(activity_broker.url, lambda e: e.tenant == other, count=1, timeout=2) == []


def test_a_built_in_dag_run_for_a_tenant_reports_its_failure(
    activity_broker: RunningServer,
) -> None:
    tenant = new_tenant("acme")
    dag_id = f"activity_check_{tenant}"
    with DAG(dag_id=dag_id, schedule=None, start_date=datetime(2026, 1, 1)) as dag:

        @task(retries=0)
        def breaks() -> None:
            raise RuntimeError("planned failure")

        breaks()

    result = run_dag_object(dag, conf={"tenant": tenant})
    assert result.state == "failed"

    events = read_events(activity_broker.url, lambda e: e.tenant == tenant, count=2)
    [node] = [e for e in events if isinstance(e, TaskRunEvent)]
    assert (node.state, node.workflow, node.workflow_version) == ("failed", dag_id, None)
    assert node.node_type == "_PythonDecoratedOperator"  # not a builder node: its class
    [finished] = [e for e in events if isinstance(e, DagRunEvent) and e.state != "running"]
    assert (finished.state, finished.run_id) == ("failed", result.run_id)


def test_tasks_that_were_skipped_or_never_ran_are_reported_once(
    activity_broker: RunningServer,
) -> None:
    tenant = new_tenant("acme")
    dag_id = f"activity_skips_{tenant}"
    with DAG(dag_id=dag_id, schedule=None, start_date=datetime(2026, 1, 1)) as dag:

        @task.branch
        def choose() -> str:
            return "taken"

        @task
        def taken() -> None: ...

        @task
        def not_taken() -> None: ...

        @task
        def skips_itself() -> None:
            raise AirflowSkipException("nothing to do today")

        @task(retries=0)
        def breaks() -> None:
            raise RuntimeError("planned failure")

        @task
        def after_the_break() -> None: ...

        choose() >> [taken(), not_taken()]
        skips_itself()
        breaks() >> after_the_break()

    result = run_dag_object(dag, conf={"tenant": tenant})
    assert result.state == "failed"
    assert result.task_states["not_taken"] == "skipped"
    assert result.task_states["after_the_break"] == "upstream_failed"

    # One more than expected, to show nothing came twice (waits the short timeout for it).
    events = read_events(
        activity_broker.url,
        lambda e: e.tenant == tenant and isinstance(e, TaskRunEvent),
        count=7,
        timeout=8,
    )
    ends = sorted((e.task_id, e.state) for e in events)
    assert ends == [
        ("after_the_break", "upstream_failed"),
        ("breaks", "failed"),
        ("choose", "success"),
        ("not_taken", "skipped"),
        ("skips_itself", "skipped"),
        ("taken", "success"),
    ]
    by_task = {e.task_id: e for e in events}
    for never_ran in ("not_taken", "after_the_break"):
        event = by_task[never_ran]
        assert (event.duration_s, event.started_at, event.run_id) == (None, None, result.run_id)
        assert (event.workflow, event.node_type) == (dag_id, "_PythonDecoratedOperator")
    assert by_task["skips_itself"].duration_s is not None  # it ran, then skipped itself
