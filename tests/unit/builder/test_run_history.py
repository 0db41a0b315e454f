"""Runs Airflow started are recorded with the workflow version their DAG file held."""

from __future__ import annotations

from airloom.tenancy import TenantScope
from airloom.workflow.compiler import compile_workflow, published_document
from workflow_builder_api.services.run_history import run_type
from workflow_builder_api.services.runs import run_key

RECORDS = {"type": "object", "properties": {"id": {"type": "integer"}}}


def test_a_dag_files_source_gives_back_what_was_published() -> None:
    document = {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "orders", "title": "WORKFLOW = 'not this'"},
        "nodes": [
            {
                "id": "ingest",
                "type": "kafka_ingest",
                "params": {"topic": "orders", "dataset": "orders", "record_schema": RECORDS},
            }
        ],
    }
    compiled = compile_workflow(document, workflow_id="w1", version=7, scope=TenantScope("acme"))
    published = published_document(compiled.source)
    assert published is not None
    assert (published["version"], published["workflowId"], published["tenant"]) == (7, "w1", "acme")
    assert published_document("import os\nWORKFLOW = os.environ['X']\n") is None
    assert published_document("def broken(:") is None


def test_how_a_run_started_is_read_from_its_id() -> None:
    assert run_type("scheduled__2026-11-23T00:00:00+00:00") == "scheduled"
    assert run_type("manual__2026-11-23T10:00:00.123+00:00") == "manual"
    assert run_type("asset_triggered__2026-11-23T10:00:00+00:00") == "asset_triggered"
    assert run_type("my_own_id") == "manual"


def test_a_runs_id_is_stable_and_unique_per_dag() -> None:
    assert run_key("wf-acme-orders", "manual__1") == run_key("wf-acme-orders", "manual__1")
    assert run_key("wf-acme-orders", "manual__1") != run_key("wf-acme-other", "manual__1")
    assert len(run_key("wf-acme-orders", "manual__1")) == 32
