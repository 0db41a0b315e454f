"""Structural validation that needs no node type: the document, names, schedule, graph shape."""

from __future__ import annotations

from typing import Any

from airloom.workflow.spec import json_schema
from airloom.workflow.validation import validate


def spec(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "churn", "title": "Churn"},
        "nodes": [],
        "edges": [],
    }
    document.update(overrides)
    return document


def codes(document: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    return {p.code: (p.node_id, p.field) for p in validate(document)}


def test_an_empty_workflow_is_refused_since_its_run_would_do_nothing() -> None:
    (problem,) = validate(spec())
    assert (problem.code, problem.node_id, problem.field) == ("EMPTY_WORKFLOW", None, "nodes")
    assert "no nodes" in problem.message


def test_document_errors_name_their_field() -> None:
    problems = validate({"apiVersion": "airloom/v2", "kind": "Workflow", "metadata": {}})
    fields = {p.field for p in problems}
    assert {"apiVersion", "metadata.name"} <= fields
    assert {p.code for p in problems} == {"INVALID_DOCUMENT"}


def test_invalid_schedule_and_name() -> None:
    found = codes(spec(schedule="every tuesday", metadata={"name": "Churn Model"}))
    assert found["INVALID_SCHEDULE"] == (None, "schedule")
    assert found["INVALID_NAME"] == (None, "metadata.name")
    assert set(codes(spec(schedule="0 6 * * 1-5"))) == {"EMPTY_WORKFLOW"}
    assert set(codes(spec(schedule="@daily"))) == {"EMPTY_WORKFLOW"}


def test_unsafe_and_duplicate_node_ids() -> None:
    nodes = [
        {"id": "a", "type": "nope"},
        {"id": "a", "type": "nope"},
        {"id": "x'); import os; ('", "type": "nope"},
    ]
    found = [(p.code, p.node_id, p.field) for p in validate(spec(nodes=nodes))]
    assert ("DUPLICATE_NODE_ID", "a", "nodes.1.id") in found
    assert ("UNSAFE_NODE_ID", "x'); import os; ('", "nodes.2.id") in found
    assert ("UNKNOWN_NODE_TYPE", "a", "nodes.0.type") in found


def test_a_cycle_names_its_nodes_and_the_edges_that_form_it() -> None:
    nodes = [{"id": n, "type": "nope"} for n in ("a", "b", "c", "d")]
    edges = [
        {"source": "a.out", "target": "b.in"},
        {"source": "d.out", "target": "a.in"},  # feeds the cycle, is no part of it
        {"source": "b.out", "target": "c.in"},
        {"source": "c.out", "target": "a.in"},
    ]
    (cycle,) = [p for p in validate(spec(nodes=nodes, edges=edges)) if p.code == "CYCLE"]
    # The edge that closes the cycle is the field; the message lists each edge of it.
    assert (cycle.node_id, cycle.field) == ("a", "edges.3")
    assert "a → b → c → a" in cycle.message
    assert "edges.0 (a.out → b.in), edges.2 (b.out → c.in), edges.3 (c.out → a.in)" in (
        cycle.message
    )
    assert "edges.1" not in cycle.message


def test_more_than_500_nodes_is_refused() -> None:
    nodes = [{"id": f"n{i}", "type": "nope"} for i in range(501)]
    assert codes(spec(nodes=nodes))["TOO_MANY_NODES"] == (None, "nodes")


def test_the_published_json_schema_describes_the_document() -> None:
    schema = json_schema()
    assert schema["title"] == "Airloom workflow"
    assert {"apiVersion", "kind", "metadata", "nodes", "edges"} <= set(schema["properties"])
