"""A node's own retries and timeout: validated with the design, compiled into its task."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from airloom.tenancy import TenantScope
from airloom.workflow.factory import build_dag
from airloom.workflow.spec import WorkflowSpec
from airloom.workflow.validation import validate

RECORDS = {"type": "object", "properties": {"id": {"type": "integer"}}}


def design(defaults: dict[str, Any] | None = None, **first: Any) -> dict[str, Any]:
    def ingest(node_id: str, **settings: Any) -> dict[str, Any]:
        return {
            "id": node_id,
            "type": "kafka_ingest",
            "params": {"topic": node_id, "dataset": node_id, "record_schema": RECORDS},
            **settings,
        }

    document: dict[str, Any] = {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "settings"},
        "nodes": [ingest("clean", **first), ingest("other")],
        "edges": [],
    }
    if defaults is not None:
        document["defaults"] = defaults
    return document


def test_a_node_overrides_the_designs_retries_and_timeout() -> None:
    document = design(
        {"retries": 3, "retryDelaySeconds": 5, "timeoutSeconds": 600},
        retries=0,
        timeoutSeconds=30,
    )
    assert validate(document) == []
    dag = build_dag(document, workflow_id="w1", version=1, scope=TenantScope("acme"))
    clean, other = dag.get_task("clean"), dag.get_task("other")
    assert (clean.retries, clean.execution_timeout) == (0, timedelta(seconds=30))
    assert (other.retries, other.execution_timeout) == (3, timedelta(seconds=600))


def test_without_a_timeout_a_node_has_none() -> None:
    dag = build_dag(design(), workflow_id="w1", version=1, scope=TenantScope("acme"))
    assert dag.get_task("clean").retries == 1
    assert dag.get_task("clean").execution_timeout is None


def test_unset_settings_stay_out_of_the_document() -> None:
    stored = WorkflowSpec.model_validate(design()).to_document()
    assert "timeoutSeconds" not in stored["defaults"]
    assert all({"retries", "timeoutSeconds"}.isdisjoint(node) for node in stored["nodes"])
    set_once = WorkflowSpec.model_validate(design(retries=2)).to_document()
    assert set_once["nodes"][0]["retries"] == 2


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"retries": "2"}, "nodes.0.retries"),
        ({"retries": 11}, "nodes.0.retries"),
        ({"retries": True}, "nodes.0.retries"),
        ({"timeoutSeconds": 0}, "nodes.0.timeoutSeconds"),
        ({"timeoutSeconds": 1.5}, "nodes.0.timeoutSeconds"),
        ({"timeoutSeconds": 8 * 86_400}, "nodes.0.timeoutSeconds"),
    ],
)
def test_wrong_settings_are_problems_of_the_node(settings: dict[str, Any], field: str) -> None:
    problems = validate(design(**settings))
    assert [(p.node_id, p.field) for p in problems] == [("clean", field)], problems
