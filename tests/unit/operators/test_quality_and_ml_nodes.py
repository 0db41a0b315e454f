"""The quality gate and ML nodes as the builder sees them: types, ports, parse-time errors."""

from __future__ import annotations

import pytest
from airflow.sdk import DAG

from airloom.catalog import NodeConfigError, node_types
from airloom.operators.deploy import DeployModelOperator
from airloom.operators.mlflow import EvaluateModelOperator, TrainModelOperator
from airloom.operators.quality import DataQualityOperator


def ports(node: str) -> tuple[list[str], list[str]]:
    entry = node_types()[node]
    return (
        [f"{p.name}:{p.type}" for p in entry.inputs],
        [f"{p.name}:{p.type}" for p in entry.outputs],
    )


def test_the_catalog_lists_each_node_with_its_typed_ports() -> None:
    assert ports("quality_gate") == (["table:table"], ["table:table", "report:report"])
    assert ports("train") == (["table:table"], ["model:model", "holdout:table"])
    assert ports("evaluate") == (["model:model", "table:table"], ["model:model", "report:report"])
    assert ports("deploy") == (["model:model"], ["model:model"])
    schema = node_types()["train"].params_schema
    assert "random_forest_classifier" in schema["properties"]["estimator"]["enum"]


def test_a_wrong_check_is_named_by_its_place_when_the_dag_is_parsed() -> None:
    with DAG("t", schedule=None), pytest.raises(NodeConfigError) as error:
        DataQualityOperator(
            task_id="gate",
            inputs={"table": "file:///lake/orders"},
            checks=[
                {"check": "not_null", "columns": ["id"]},
                {"check": "range", "column": "amount"},
            ],
        )
    [problem] = error.value.problems
    assert problem.field == "checks.1.range"
    assert "needs 'min', 'max' or both" in problem.message


def test_an_estimator_outside_the_allow_list_is_refused_with_the_allowed_ones() -> None:
    with DAG("t", schedule=None), pytest.raises(NodeConfigError) as error:
        TrainModelOperator(
            task_id="train",
            inputs={"table": "file:///lake/features"},
            estimator="svm",
            target="y",
            registered_model_name="churn",
        )
    [problem] = error.value.problems
    assert problem.field == "estimator" and "'logistic_regression'" in problem.message


def test_a_holdout_dataset_name_that_cannot_be_a_lake_folder_is_refused() -> None:
    with DAG("t", schedule=None), pytest.raises(NodeConfigError) as error:
        TrainModelOperator(
            task_id="train",
            inputs={"table": "file:///lake/features"},
            estimator="logistic_regression",
            target="y",
            registered_model_name="churn",
            holdout_dataset="Churn Holdout",
        )
    [problem] = error.value.problems
    assert problem.field == "holdout_dataset" and "'Churn Holdout' must be lower-case" in (
        problem.message
    )


def test_thresholds_must_name_known_metrics() -> None:
    with DAG("t", schedule=None), pytest.raises(NodeConfigError) as error:
        EvaluateModelOperator(
            task_id="evaluate",
            inputs={"model": "models:/churn/1", "table": "file:///lake/holdout"},
            target="y",
            thresholds={"auc": {"min": 0.7}},
        )
    assert error.value.problems[0].field == "thresholds.auc.[key]"


def test_datasets_and_models_named_at_parse_time_become_outlets() -> None:
    with DAG("t", schedule=None):
        gate = DataQualityOperator(
            task_id="gate",
            inputs={"table": "file:///lake/orders"},
            checks=[{"check": "row_count", "min": 1}],
            output_dataset="shop/orders_clean",
            quarantine_dataset="shop/orders_rejects",
        )
        train = TrainModelOperator(
            task_id="train",
            inputs={"table": gate.port("table")},
            estimator="ridge",
            target="y",
            registered_model_name="demand",
        )
        deploy = DeployModelOperator(task_id="deploy", inputs={"model": train.port("model")})
    assert [asset.uri for asset in gate.outlets] == [
        "airloom://lake/shop/orders_clean",
        "airloom://lake/shop/orders_rejects",
    ]
    assert [asset.uri for asset in train.outlets] == ["airloom://models/demand"]
    assert deploy.upstream_task_ids == {"train"} and train.upstream_task_ids == {"gate"}
