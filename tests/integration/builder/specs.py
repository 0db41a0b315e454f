"""Workflow documents for the builder's tests, built from the live node catalog."""

from __future__ import annotations

import copy
from typing import Any

from airloom.catalog import NodeType, node_types


def spec(name: str, *, nodes: list | None = None, edges: list | None = None, **extra: Any) -> dict:
    document: dict[str, Any] = {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": name, "title": name.replace("_", " ").title()},
        "nodes": nodes or [],
        "edges": edges or [],
    }
    document.update(copy.deepcopy(extra))
    return document


def node(node_id: str, node_type: str, params: dict | None = None, x: float = 0) -> dict:
    return {"id": node_id, "type": node_type, "params": params or {}, "ui": {"x": x, "y": 0}}


RECORD_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "amount": {"type": "number"}},
    "required": ["id"],
}


def ingest(node_id: str = "ingest", topic: str = "orders", **params: Any) -> dict:
    return node(
        node_id,
        "kafka_ingest",
        {"topic": topic, "dataset": topic, "record_schema": RECORD_SCHEMA, **params},
    )


def pipeline(name: str, **extra: Any) -> dict[str, Any]:
    """A valid three-node design: Kafka → Spark SQL → Kafka."""
    return spec(
        name,
        nodes=[
            ingest(),
            node(
                "transform",
                "spark_transform",
                {"sql": "SELECT id, amount FROM orders", "output_dataset": "orders_clean"},
                x=200,
            ),
            node("publish", "kafka_publish", {"topic": "orders_out"}, x=400),
        ],
        edges=[
            {"source": "ingest.table", "target": "transform.tables"},
            {"source": "transform.table", "target": "publish.table"},
        ],
        **extra,
    )


def template_spec() -> dict[str, Any]:
    """The design of the template the tests install (the shipped templates are the lead's)."""
    document = pipeline("tiny_pipeline", schedule="@daily")
    document["metadata"].update(
        {"title": "Tiny pipeline", "description": "Orders in, clean orders out.", "tags": ["demo"]}
    )
    return document


def pick(what: str, predicate: Any) -> NodeType:
    """The first node type of the catalog that fits; fails naming what the test needs."""
    for node_type in node_types().values():
        if predicate(node_type):
            return node_type
    raise AssertionError(f"the node catalog has no {what}: {', '.join(node_types())}")


def with_required_input() -> NodeType:
    return pick("node type with a required input", lambda t: any(p.required for p in t.inputs))


def incompatible_ports() -> tuple[NodeType, str, NodeType, str]:
    """A source type's output and a target type's input whose port types differ."""
    for source in node_types().values():
        for output in source.outputs:
            for target in node_types().values():
                for port in target.inputs:
                    if port.type != output.type:
                        return source, output.name, target, port.name
    raise AssertionError("the node catalog has no two ports of different types")


def self_feeding() -> tuple[NodeType, str, str]:
    """A type whose output can feed its own input (two of them can form a cycle).

    spark_transform first: the base pipeline has one, so its params are at hand and valid.
    """
    catalog = node_types()
    ordered = sorted(catalog.values(), key=lambda t: t.type != "spark_transform")
    for node_type in ordered:
        for output in node_type.outputs:
            for port in node_type.inputs:
                if port.type == output.type:
                    return node_type, output.name, port.name
    raise AssertionError("the node catalog has no type whose output fits its own input")
