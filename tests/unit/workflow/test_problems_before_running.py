"""Designs that would fail only when run are refused when validated, naming node and field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from airloom.tenancy import TenantScope
from airloom.workflow.validation import Problem, validate

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}


def node(node_id: str, node_type: str, **params: Any) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, "params": params}


def design(nodes: list[dict], edges: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "loans"},
        "nodes": copy.deepcopy(nodes),
        "edges": [{"source": source, "target": target} for source, target in edges],
    }


INGEST = node(
    "raw", "kafka_ingest", topic="loans", dataset="loans/applications", record_schema=SCHEMA
)
FEATURES = node(
    "features",
    "spark_transform",
    sql="SELECT id FROM applications",
    output_dataset="loans/features",
)
TRAIN = node(
    "train",
    "train",
    estimator="random_forest_classifier",
    target="defaulted",
    registered_model_name="loans",
    hyperparameters={"n_estimators": 50, "max_depth": 4},
)
SCORE = node("score", "batch_score", output_dataset="loans/scored")
PIPELINE = [INGEST, FEATURES, TRAIN, SCORE]
WIRING = [
    ("raw.table", "features.tables"),
    ("features.table", "train.table"),
    ("features.table", "score.table"),
    ("train.model", "score.model"),
]


def found(document: dict[str, Any], scope: TenantScope | None = None) -> list[Problem]:
    return validate(document, scope)


def only(document: dict[str, Any], scope: TenantScope | None = None) -> Problem:
    (problem,) = found(document, scope)
    return problem


def with_params(node_id: str, **params: Any) -> dict[str, Any]:
    document = design(PIPELINE, WIRING)
    for each in document["nodes"]:
        if each["id"] == node_id:
            each["params"].update(params)
    return document


def test_the_loan_design_is_valid() -> None:
    assert found(design(PIPELINE, WIRING)) == []


def test_a_string_is_no_integer_in_a_quality_check() -> None:
    checks = [{"check": "row_count", "min": "5"}]
    document = design(
        [INGEST, node("quality", "quality_gate", checks=checks)], [("raw.table", "quality.table")]
    )
    problem = only(document)
    assert (problem.code, problem.node_id) == ("INVALID_PARAMS", "quality")
    assert problem.field == "nodes.1.params.checks.0.min"
    assert "valid integer" in problem.message
    checks[0]["min"] = 5
    assert (
        found(
            design(
                [INGEST, node("quality", "quality_gate", checks=checks)],
                [("raw.table", "quality.table")],
            )
        )
        == []
    )


@pytest.mark.parametrize(
    ("param", "value"),
    [("max_records", "100"), ("max_records", 100.0), ("max_records", True)],
)
def test_no_value_is_converted_into_an_integer(param: str, value: Any) -> None:
    problem = only(design([node("raw", "kafka_ingest", **{**INGEST["params"], param: value})], []))
    assert (problem.code, problem.field) == ("INVALID_PARAMS", f"nodes.0.params.{param}")


def test_an_integer_is_still_a_number() -> None:
    assert found(with_params("train", test_size=1 / 4)) == []
    problem = only(with_params("train", test_size="0.25"))
    assert problem.field == "nodes.2.params.test_size"


def test_a_hyperparameter_typo_names_it_and_the_valid_ones() -> None:
    problem = only(with_params("train", hyperparameters={"n_estimators": 50, "max_dept": 4}))
    assert (problem.code, problem.node_id) == ("INVALID_PARAMS", "train")
    assert problem.field == "nodes.2.params.hyperparameters.max_dept"
    assert "has no hyperparameter 'max_dept'" in problem.message
    assert "max_depth" in problem.message.split("valid:")[1]


def test_a_hyperparameter_of_the_wrong_type_says_what_the_estimator_takes() -> None:
    problems = found(with_params("train", hyperparameters={"max_depth": "4", "n_estimators": 0}))
    by_field = {p.field: p.message for p in problems}
    assert set(by_field) == {
        "nodes.2.params.hyperparameters.max_depth",
        "nodes.2.params.hyperparameters.n_estimators",
    }
    assert (
        "must be an int in the range [1, inf) or None. Got '4'"
        in by_field["nodes.2.params.hyperparameters.max_depth"]
    )


def test_sql_that_spark_cannot_parse_is_refused_with_the_parse_error() -> None:
    problem = only(with_params("features", sql="SELEC * FORM applications"))
    assert (problem.code, problem.node_id) == ("INVALID_PARAMS", "features")
    assert problem.field == "nodes.1.params.sql"
    assert "could not be parsed as Spark SQL: syntax error at or near 'SELEC'" in problem.message
    assert "did you mean SELECT?" in problem.message


def test_sql_over_a_view_no_input_provides_names_it_and_the_available_ones() -> None:
    problem = only(with_params("features", sql="SELECT id FROM raw"))
    assert (problem.code, problem.node_id) == ("UNKNOWN_VIEW", "features")
    assert problem.field == "nodes.1.params.sql"
    assert "(applications), not 'raw'" in problem.message


def test_views_are_not_judged_while_an_input_is_named_only_at_run_time() -> None:
    # A quality gate without output_dataset writes '<input>_validated', decided as it runs.
    gate = node("quality", "quality_gate", checks=[{"check": "row_count", "min": 1}])
    document = design(
        [INGEST, gate, {**FEATURES, "params": {**FEATURES["params"], "sql": "SELECT 1 FROM x"}}],
        [("raw.table", "quality.table"), ("quality.table", "features.tables")],
    )
    assert found(document) == []


def test_a_result_type_that_cannot_hold_a_regressors_predictions_is_refused() -> None:
    document = with_params("train", estimator="ridge", hyperparameters={})
    for each in document["nodes"]:
        if each["id"] == "score":
            each["params"]["result_type"] = "long"
    problem = only(document)
    assert (problem.code, problem.node_id) == ("RESULT_TYPE_MISMATCH", "score")
    assert problem.field == "nodes.3.params.result_type"
    assert "use 'double'" in problem.message


def test_a_result_type_is_checked_against_a_registered_versions_signature() -> None:
    predictions = {"models:/loans/3": "int64", "models:/loans@champion": "str"}
    scope = TenantScope("acme", model_predictions=predictions.get)
    nodes = [INGEST, FEATURES, {**SCORE, "params": {**SCORE["params"]}}]
    wiring = [("raw.table", "features.tables"), ("features.table", "score.table")]

    def scoring(model_uri: str, result_type: str) -> list[Problem]:
        nodes[2]["params"].update(model_uri=model_uri, result_type=result_type)
        return found(design(nodes, wiring), scope)

    (problem,) = scoring("models:/loans/3", "integer")
    assert (problem.code, problem.node_id) == ("RESULT_TYPE_MISMATCH", "score")
    assert problem.field == "nodes.2.params.result_type"
    assert "which are int64: use 'long'" in problem.message
    assert "(types that fit: double, float, long, string)" in problem.message
    assert scoring("models:/loans/3", "long") == []
    assert "use 'string'" in scoring("models:/loans@champion", "double")[0].message
    assert scoring("models:/loans/9", "integer") == []  # no signature known: the run decides


def test_an_unknown_result_type_lists_the_allowed_ones() -> None:
    problem = only(with_params("score", result_type="int64"))
    assert problem.field == "nodes.3.params.result_type"
    for name in ("double", "float", "long", "integer", "string", "boolean"):
        assert f"'{name}'" in problem.message


def test_exclusive_params_name_a_param_not_the_params_as_a_whole() -> None:
    problem = only(with_params("features", job="churn_features"))
    assert (problem.code, problem.field) == ("INVALID_PARAMS", "nodes.1.params.job")
    assert "set exactly one of sql or job" in problem.message


def test_a_node_id_with_a_dot_is_one_clear_problem() -> None:
    document = design(
        [{**INGEST, "id": "load.raw"}, FEATURES],
        [("load.raw.table", "features.tables")],
    )
    problem = only(document)
    assert (problem.code, problem.node_id, problem.field) == (
        "UNSAFE_NODE_ID",
        "load.raw",
        "nodes.0.id",
    )
    assert "'.' separates a node from its port in edges" in problem.message
