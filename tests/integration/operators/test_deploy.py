"""Deployment in a real DAG run: the champion moves, and the registry records who, when, from
which version and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from airflow.sdk import DAG
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression

from airloom.deploy.registry_target import deployment_history
from airloom.ml.registry import version_by_alias
from airloom.operators.deploy import DeployModelOperator
from tests.harness.airflow import run_dag_object
from tests.integration.operators.ml_data import churn, register_version

FEATURES = ["tenure", "spend", "noise"]


def register_two_versions(mlflow_url: str, name: str) -> None:
    frame = churn(seed=3)
    for c, alias in ((1.0, "champion"), (0.3, "challenger")):
        model = LogisticRegression(C=c).fit(frame[FEATURES], frame["churned"])
        register_version(mlflow_url, name, model, frame[FEATURES], alias=alias)


def test_deploy_promotes_to_champion_and_records_the_change(
    airflow_db, airloom_connections, mlflow, lake: Path, capfd
) -> None:
    register_two_versions(mlflow.url, "test-deploy-churn")
    register_two_versions(mlflow.url, "test-deploy-other")
    started = datetime.now(UTC)
    with DAG("test_deploy", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        DeployModelOperator(
            task_id="deploy",
            inputs={"model": "models:/test-deploy-churn/2"},
            target="registry",
            reason="higher recall on the November holdout",
        )
        DeployModelOperator(
            task_id="deploy_unknown_target",
            inputs={"model": "models:/test-deploy-other/2"},
            target="nowhere",
        )
    result = run_dag_object(dag)

    assert result.task_states == {"deploy": "success", "deploy_unknown_target": "failed"}
    assert result.xcoms["deploy"]["model"] == "models:/test-deploy-churn/2"
    client = MlflowClient(mlflow.url)
    assert version_by_alias(client, "test-deploy-churn", "champion").version == "2"
    assert version_by_alias(client, "test-deploy-churn", "challenger") is None  # it has won
    [event] = deployment_history(client, "test-deploy-churn")
    assert {k: event[k] for k in ("action", "model", "version", "from_version")} == {
        "action": "promote",
        "model": "test-deploy-churn",
        "version": "2",
        "from_version": "1",
    }
    assert event["deployed_by"] == "dag_test"  # the user who triggered the run
    assert event["reason"] == "higher recall on the November holdout"
    assert (event["workflow"], event["run_id"], event["target"]) == (
        "test_deploy",
        result.run_id,
        "registry",
    )
    deployed_at = datetime.fromisoformat(event["deployed_at"])
    assert started <= deployed_at <= datetime.now(UTC) + timedelta(seconds=1)
    tags = client.get_model_version("test-deploy-churn", "2").tags
    assert tags["airloom.promoted_from"] == "1" and tags["airloom.deployed_by"] == "dag_test"

    # An unknown target fails before anything changes, naming the targets there are.
    known = "known targets: local, registry, sagemaker"
    assert f"unknown deployment target 'nowhere'; {known}" in capfd.readouterr().out
    assert version_by_alias(client, "test-deploy-other", "champion").version == "1"
    assert deployment_history(client, "test-deploy-other") == []
