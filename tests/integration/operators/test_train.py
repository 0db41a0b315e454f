"""Training in a real DAG run registers a version MLflow can trace back to its workflow and data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from airflow.sdk import DAG
from mlflow import MlflowClient

from airloom import model_tags
from airloom.datasets import read_table
from airloom.ml.tracking import mlflow_uris
from airloom.ml.training import key_holdout
from airloom.operators.mlflow import TrainModelOperator
from tests.harness.airflow import run_dag_object
from tests.integration.operators.ml_data import churn, write_dataset


def test_training_registers_a_tagged_version_with_its_dataset_and_metrics(
    airflow_db, airloom_connections, mlflow, lake: Path, capfd
) -> None:
    features = write_dataset(lake, "ml/churn_features", churn())
    customers = churn().assign(customer_id=[f"c{index}" for index in range(240)])
    by_customer = write_dataset(lake, "ml/churn_customers", customers)
    client = MlflowClient(mlflow.url)
    # A person described this model in MLflow before any workflow trained it.
    client.create_registered_model(
        "test-train-by-customer",
        tags={model_tags.OWNER: "ann@retention.example"},
        description="Written by a person.",
    )
    with DAG("test_train", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        TrainModelOperator(
            task_id="train",
            inputs={"table": features},
            estimator="logistic_regression",
            hyperparameters={"C": 0.5, "max_iter": 200},
            target="churned",
            registered_model_name="test-train-churn",
            tags={"team": "retention"},
            listing={
                "description": "Which subscribers cancel next month.\n\n*Retention* uses it.",
                "task": "classification",
                "industry": "subscriptions",
                "licence": "Apache-2.0",
                "owner": "Retention analytics",
            },
        )
        TrainModelOperator(
            task_id="train_bad_hyperparameter",
            inputs={"table": features},
            estimator="random_forest_classifier",
            hyperparameters={"n_trees": 10},
            target="churned",
            registered_model_name="test-train-never-registered",
        )
        TrainModelOperator(
            task_id="train_by_customer",
            inputs={"table": by_customer},
            estimator="logistic_regression",
            target="churned",
            feature_columns=["tenure", "spend", "noise"],
            holdout_key="customer_id",
            holdout_dataset="ml/churn_holdout",
            registered_model_name="test-train-by-customer",
            listing={"task": "classification", "industry": "telecom"},
        )
    result = run_dag_object(dag)

    assert result.task_states == {
        "train": "success",
        "train_bad_hyperparameter": "failed",
        "train_by_customer": "success",
    }
    reference = result.xcoms["train"]["model"]
    assert reference == "models:/test-train-churn/1"
    version = client.get_model_version("test-train-churn", "1")
    assert version.tags["airloom.workflow"] == "test_train"
    assert version.tags["airloom.run_id"] == result.run_id
    assert version.tags["airloom.dataset"] == features
    assert version.tags["airloom.task_id"] == "train"
    assert version.tags["team"] == "retention"
    # The listing is the registered model's, where the marketplace reads it; not the version's.
    registered = client.get_registered_model("test-train-churn")
    assert registered.description == "Which subscribers cancel next month.\n\n*Retention* uses it."
    assert {key: registered.tags.get(key) for key in model_tags.LISTING} == {
        model_tags.TASK: "classification",
        model_tags.INDUSTRY: "subscriptions",
        model_tags.LICENCE: "Apache-2.0",
        model_tags.OWNER: "Retention analytics",
    }
    assert not set(model_tags.LISTING) & set(version.tags)
    # Only what a workflow gives is written: what a person set and it left out stays.
    described = client.get_registered_model("test-train-by-customer")
    assert described.description == "Written by a person."
    assert described.tags[model_tags.OWNER] == "ann@retention.example"
    assert described.tags[model_tags.TASK] == "classification"
    assert described.tags[model_tags.INDUSTRY] == "telecom"
    assert model_tags.LICENCE not in described.tags
    run = client.get_run(version.run_id)
    assert run.data.params["C"] == "0.5" and run.data.params["estimator"] == "logistic_regression"
    assert run.data.params["features"] == "tenure,spend,noise"  # target and _columns left out
    assert run.data.metrics["roc_auc"] > 0.9  # churn really depends on tenure
    assert set(run.data.metrics) >= {"accuracy", "f1", "precision", "recall", "roc_auc"}
    [dataset_input] = run.inputs.dataset_inputs
    assert features in dataset_input.dataset.source
    assert {tag.key: tag.value for tag in dataset_input.tags}["mlflow.data.context"] == "training"

    with mlflow_uris(mlflow.url):
        from mlflow.models import get_model_info

        info = get_model_info(reference)
    assert info.signature.inputs.input_names() == ["tenure", "spend", "noise"]
    assert info.saved_input_example_info is not None

    # The held-out rows are in the lake for an evaluate node: by default beside the input.
    holdout = read_table(result.xcoms["train"]["holdout"])
    assert result.xcoms["train"]["holdout"] == (lake / "ml/churn_features_holdout").as_uri()
    assert holdout.num_rows == int(run.data.params["split.test_rows"]) == 48
    assert holdout.column_names == list(churn().columns)

    # With a holdout key, the rows written are exactly the customers whose key hashes into
    # the holdout (the unit tests show those stay the same from run to run).
    keyed = client.get_model_version("test-train-by-customer", "1")
    keyed_run = client.get_run(keyed.run_id)
    assert keyed_run.data.params["split.holdout_key"] == "customer_id"
    assert result.xcoms["train_by_customer"]["holdout"] == (lake / "ml/churn_holdout").as_uri()
    held = read_table(result.xcoms["train_by_customer"]["holdout"])["customer_id"].to_pylist()
    assert len(held) == int(keyed_run.data.params["split.test_rows"])
    expected = customers.loc[key_holdout(customers, "customer_id", 0.2), "customer_id"]
    assert sorted(held) == sorted(expected)

    # A wrong hyperparameter is named in the task's error, and nothing is registered.
    log = capfd.readouterr().out
    assert "has no hyperparameter 'n_trees'" in log
    assert client.search_registered_models("name = 'test-train-never-registered'") == []
