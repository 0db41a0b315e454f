"""Workflow designs of any size for the builder's benchmarks: chains of five real node types."""

from __future__ import annotations

from typing import Any

RECORD_SCHEMA = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": {"type": "string"}, "amount": {"type": "number"}},
}


def chain(prefix: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Kafka → Spark SQL → quality gate → train → promote: a typical five-node workflow."""
    nodes = [
        {
            "id": f"{prefix}_ingest",
            "type": "kafka_ingest",
            "params": {
                "topic": "orders",
                "dataset": f"bench/{prefix}/orders",
                "record_schema": RECORD_SCHEMA,
            },
        },
        {
            "id": f"{prefix}_features",
            "type": "spark_transform",
            "params": {
                "sql": "SELECT id, amount, amount > 100 AS big FROM orders",
                "output_dataset": f"bench/{prefix}/features",
            },
        },
        {
            "id": f"{prefix}_quality",
            "type": "quality_gate",
            "params": {
                "checks": [
                    {"check": "not_null", "columns": ["id"]},
                    {"check": "row_count", "min": 1},
                ]
            },
        },
        {
            "id": f"{prefix}_train",
            "type": "train",
            "params": {
                "estimator": "logistic_regression",
                "target": "big",
                "registered_model_name": f"bench_{prefix}",
            },
        },
        {"id": f"{prefix}_promote", "type": "deploy", "params": {"target": "registry"}},
    ]
    edges = [
        {"source": f"{prefix}_ingest.table", "target": f"{prefix}_features.tables"},
        {"source": f"{prefix}_features.table", "target": f"{prefix}_quality.table"},
        {"source": f"{prefix}_quality.table", "target": f"{prefix}_train.table"},
        {"source": f"{prefix}_train.model", "target": f"{prefix}_promote.model"},
    ]
    return nodes, edges


def design(name: str, nodes: int) -> dict[str, Any]:
    """A valid design of ``nodes`` nodes (a multiple of five): independent five-node chains."""
    all_nodes: list[dict[str, Any]] = []
    all_edges: list[dict[str, str]] = []
    for index in range(nodes // 5):
        chain_nodes, chain_edges = chain(f"c{index}")
        all_nodes += chain_nodes
        all_edges += chain_edges
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": name, "title": f"Benchmark {name}"},
        "schedule": "@daily",
        "nodes": all_nodes,
        "edges": all_edges,
    }
