"""Every validation problem names its code, node and field, and stops publication."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.builder import queries
from tests.integration.builder.api import Builder
from tests.integration.builder.specs import (
    incompatible_ports,
    ingest,
    node,
    pipeline,
    self_feeding,
    with_required_input,
)

Breakage = Callable[[dict], tuple[str, str | None, str | None]]


def unknown_type(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"][1]["type"] = "teleport"
    return "UNKNOWN_NODE_TYPE", "transform", "nodes.1.type"


def params_failing_the_schema(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"][0]["params"]["max_records"] = 0
    return "INVALID_PARAMS", "ingest", "nodes.0.params.max_records"


def a_missing_required_param(document: dict) -> tuple[str, str | None, str | None]:
    del document["nodes"][2]["params"]["topic"]
    return "INVALID_PARAMS", "publish", "nodes.2.params.topic"


def a_nested_param_failing(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"][1]["params"]["partition_by"] = ["day", 3]
    return "INVALID_PARAMS", "transform", "nodes.1.params.partition_by.1"


def incompatible_port_types(document: dict) -> tuple[str, str | None, str | None]:
    source, output, target, port = incompatible_ports()
    document["nodes"] += [node("src", source.type), node("dst", target.type)]
    document["edges"].append({"source": f"src.{output}", "target": f"dst.{port}"})
    return "INCOMPATIBLE_PORTS", "dst", f"edges.{len(document['edges']) - 1}"


def an_edge_to_a_missing_port(document: dict) -> tuple[str, str | None, str | None]:
    document["edges"][1]["target"] = "publish.tabel"
    return "MISSING_PORT", "publish", "edges.1.target"


def an_edge_to_a_missing_node(document: dict) -> tuple[str, str | None, str | None]:
    document["edges"][1]["source"] = "ghost.table"
    return "MISSING_NODE", "ghost", "edges.1.source"


def a_cycle(document: dict) -> tuple[str, str | None, str | None]:
    node_type, output, port = self_feeding()
    # Params of a node of the same type in the design, so the cycle is the only problem.
    params = next((n["params"] for n in document["nodes"] if n["type"] == node_type.type), {})
    document["nodes"] += [
        node("loop_a", node_type.type, params),
        node("loop_b", node_type.type, params),
    ]
    document["edges"] += [
        {"source": f"loop_a.{output}", "target": f"loop_b.{port}"},
        {"source": f"loop_b.{output}", "target": f"loop_a.{port}"},
    ]
    return "CYCLE", None, "edges"


def a_required_input_left_unconnected(document: dict) -> tuple[str, str | None, str | None]:
    node_type = with_required_input()
    port = next(port for port in node_type.inputs if port.required)
    document["nodes"].append(node("orphan", node_type.type))
    return "UNCONNECTED_INPUT", "orphan", f"nodes.3.inputs.{port.name}"


def a_duplicate_node_id(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"].append(ingest("ingest", topic="more_orders"))
    return "DUPLICATE_NODE_ID", "ingest", "nodes.3.id"


def an_unsafe_node_id(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"].append(ingest("x'); import os; ('", topic="evil"))
    return "UNSAFE_NODE_ID", "x'); import os; ('", "nodes.3.id"


def an_invalid_schedule(document: dict) -> tuple[str, str | None, str | None]:
    document["schedule"] = "every other tuesday"
    return "INVALID_SCHEDULE", None, "schedule"


def more_than_500_nodes(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"] += [ingest(f"extra_{i}", topic=f"topic_{i}") for i in range(498)]
    return "TOO_MANY_NODES", None, "nodes"


BREAKAGES: list[Breakage] = [
    unknown_type,
    params_failing_the_schema,
    a_missing_required_param,
    a_nested_param_failing,
    incompatible_port_types,
    an_edge_to_a_missing_port,
    an_edge_to_a_missing_node,
    a_cycle,
    a_required_input_left_unconnected,
    a_duplicate_node_id,
    an_unsafe_node_id,
    an_invalid_schedule,
    more_than_500_nodes,
]


def test_the_base_design_is_valid(builder: Builder) -> None:
    api = builder.tenant().editor
    assert api.data(queries.VALIDATE, spec=pipeline("base")) == {"validateWorkflow": []}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda breakage: breakage.__name__)
def test_a_problem_names_its_node_and_field_and_nothing_is_published(
    builder: Builder, dags_folder: Path, breakage: Breakage
) -> None:
    tenant = builder.tenant()
    document = copy.deepcopy(pipeline("broken"))
    code, node_id, field = breakage(document)

    problems = tenant.editor.data(queries.VALIDATE, spec=document)["validateWorkflow"]
    found = [(p["code"], p["nodeId"], p["field"]) for p in problems if p["code"] == code]
    if code == "CYCLE":
        (cycle,) = problems
        assert cycle["field"] == "edges"
        assert cycle["nodeId"] in {"loop_a", "loop_b"}
        assert "loop_a" in cycle["message"] and "loop_b" in cycle["message"]
    else:
        assert found == [(code, node_id, field)], problems
    assert all(p["message"] for p in problems)

    workflow = tenant.editor.data(queries.CREATE, input={"name": "broken", "spec": document})
    workflow_id = workflow["createWorkflow"]["id"]
    result = tenant.editor.data(queries.PUBLISH, id=workflow_id, version=1)["publishWorkflow"]
    assert result["published"] is False
    assert result["dagFile"] is None
    assert result["problems"] == problems
    assert result["workflow"]["publishedVersion"] is None
    assert not (dags_folder / f"{result['dagId']}.py").exists()
    assert not list(dags_folder.glob(f"*{tenant.name}*"))


def test_validate_takes_any_json_and_reports_the_document_problem(builder: Builder) -> None:
    api = builder.tenant().editor
    problems = api.data(queries.VALIDATE, spec={"kind": "Workflow", "nodes": "many"})
    fields = {p["field"]: p["code"] for p in problems["validateWorkflow"]}
    assert fields["metadata"] == "INVALID_DOCUMENT"
    assert fields["nodes"] == "INVALID_DOCUMENT"
    (problem,) = api.data(queries.VALIDATE, spec=[1, 2])["validateWorkflow"]
    assert problem["code"] == "INVALID_DOCUMENT"
