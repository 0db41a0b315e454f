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
    loops = {"loop_a": "loop_b", "loop_b": "loop_a"}
    for loop, other in loops.items():
        own = dict(params)
        if node_type.type == "spark_transform":  # each reads the view the other writes
            own.update(sql=f"SELECT * FROM {other}", output_dataset=loop)
        document["nodes"].append(node(loop, node_type.type, own))
    document["edges"] += [
        {"source": f"loop_a.{output}", "target": f"loop_b.{port}"},
        {"source": f"loop_b.{output}", "target": f"loop_a.{port}"},
    ]
    return "CYCLE", "loop_a", f"edges.{len(document['edges']) - 1}"


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


def an_empty_design(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"], document["edges"] = [], []
    return "EMPTY_WORKFLOW", None, "nodes"


def a_string_for_an_integer(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"][0]["params"]["max_records"] = "100"
    return "INVALID_PARAMS", "ingest", "nodes.0.params.max_records"


def sql_spark_cannot_parse(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"][1]["params"]["sql"] = "SELEC * FORM orders"
    return "INVALID_PARAMS", "transform", "nodes.1.params.sql"


def sql_over_a_view_no_input_provides(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"][1]["params"]["sql"] = "SELECT * FROM raw_orders"
    return "UNKNOWN_VIEW", "transform", "nodes.1.params.sql"


def training(document: dict, **params: object) -> None:
    """A train node on the transform's output (node 3)."""
    document["nodes"].append(
        node(
            "train",
            "train",
            {"estimator": "ridge", "target": "amount", "registered_model_name": "orders", **params},
        )
    )
    document["edges"].append({"source": "transform.table", "target": "train.table"})


def a_hyperparameter_typo(document: dict) -> tuple[str, str | None, str | None]:
    training(document, hyperparameters={"alpah": 0.5})
    return "INVALID_PARAMS", "train", "nodes.3.params.hyperparameters.alpah"


def a_result_type_the_predictions_do_not_fit(document: dict) -> tuple[str, str | None, str | None]:
    training(document)
    score = {"output_dataset": "orders_scored", "result_type": "long"}
    document["nodes"].append(node("score", "batch_score", score))
    document["edges"] += [
        {"source": "transform.table", "target": "score.table"},
        {"source": "train.model", "target": "score.model"},
    ]
    return "RESULT_TYPE_MISMATCH", "score", "nodes.4.params.result_type"


def a_node_id_with_a_dot(document: dict) -> tuple[str, str | None, str | None]:
    document["nodes"][0]["id"] = "load.raw"
    document["edges"][0]["source"] = "load.raw.table"
    return "UNSAFE_NODE_ID", "load.raw", "nodes.0.id"


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
    an_empty_design,
    a_string_for_an_integer,
    sql_spark_cannot_parse,
    sql_over_a_view_no_input_provides,
    a_hyperparameter_typo,
    a_result_type_the_predictions_do_not_fit,
    a_node_id_with_a_dot,
]

# Each of these is the design's only problem: nothing follows on from it.
ONLY_PROBLEM = {an_empty_design, a_node_id_with_a_dot, a_hyperparameter_typo}


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
    assert found == [(code, node_id, field)], problems
    if breakage in ONLY_PROBLEM:
        assert len(problems) == 1, problems
    if code == "CYCLE":
        (cycle,) = problems  # the edge closing it is the field; the message lists each edge
        assert "edges.2 (loop_a.table → loop_b.tables)" in cycle["message"]
        assert "edges.3 (loop_b.table → loop_a.tables)" in cycle["message"]
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
