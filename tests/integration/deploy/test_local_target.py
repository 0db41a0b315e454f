"""The `local` target against a real serving process and MLflow server, and the `deploy` node
using it in a DAG run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pandas as pd
import pytest
from airflow.sdk import DAG
from mlflow import MlflowClient

from airloom.deploy import DeploymentError, DeploymentNotFound, get_target
from airloom.deploy.registry_target import deployment_history
from airloom.ml.registry import version_by_alias
from airloom.operators.deploy import DeployModelOperator
from tests.harness.airflow import run_dag_object
from tests.harness.servers import RunningServer
from tests.integration.serving.support import expected, register_linear, serving_server

FRAME = pd.DataFrame({"tenure": [1.0, 4.0], "spend": [2.0, 0.5]})


@pytest.fixture(scope="module")
def serving(mlflow, tmp_path_factory) -> Iterator[RunningServer]:
    with serving_server(tmp_path_factory.mktemp("serving"), mlflow.url) as server:
        yield server


@pytest.fixture(scope="module")
def model(mlflow) -> str:
    name = "local-target"
    register_linear(mlflow.url, name, slope=2.0)
    register_linear(mlflow.url, name, slope=3.0)
    return name


def _want(slope: float) -> list[float]:
    return [expected(slope, t, s) for t, s in FRAME.itertuples(index=False)]


def test_the_lifecycle_of_a_local_endpoint(mlflow, serving, model) -> None:
    target = get_target("local", tracking_uri=mlflow.url, serving_url=serving.url)

    created = target.create_deployment("churn-live", f"models:/{model}/1", config={"tenant": "a"})

    # create returned only once the endpoint answers: predicting right away works.
    assert (created["status"], created["version"], created["target"]) == ("ready", "1", "local")
    assert created["url"] == f"{serving.url}/endpoints/churn-live/invocations"
    assert list(target.predict("churn-live", FRAME)["predictions"]) == pytest.approx(_want(2.0))
    updated = target.update_deployment("churn-live", model_uri=f"models:/{model}/2")
    assert updated["version"] == "2"
    assert list(target.predict("churn-live", FRAME)["predictions"]) == pytest.approx(_want(3.0))
    assert "churn-live" in {d["name"] for d in target.list_deployments()}
    assert target.get_deployment("churn-live")["config"] == {}  # the update's config

    target.delete_deployment("churn-live")
    target.delete_deployment("churn-live")  # idempotent
    with pytest.raises(DeploymentNotFound, match="no endpoint 'churn-live'"):
        target.get_deployment("churn-live")
    with pytest.raises(DeploymentNotFound):
        target.update_deployment("churn-live", model_uri=f"models:/{model}/1")


def test_a_missing_version_or_an_unreachable_server_is_a_clear_error(
    mlflow, serving, model
) -> None:
    target = get_target("local", tracking_uri=mlflow.url, serving_url=serving.url)
    with pytest.raises(DeploymentError, match=f"refused to serve models:/{model}/42"):
        target.create_deployment("nothing", f"models:/{model}/42")
    with pytest.raises(DeploymentNotFound):
        target.get_deployment("nothing")  # nothing half-made

    away = get_target("local", tracking_uri=mlflow.url, serving_url="http://127.0.0.1:9")
    with pytest.raises(DeploymentError, match=r"cannot be reached.*AIRLOOM_SERVING_URL"):
        away.create_deployment("nothing", f"models:/{model}/1")


def test_the_deploy_node_serves_the_version_locally_and_promotes_it(
    airflow_db, airloom_connections, mlflow, serving, model, monkeypatch
) -> None:
    monkeypatch.setenv("AIRLOOM_SERVING_URL", serving.url)
    with DAG("test_deploy_local", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        DeployModelOperator(
            task_id="deploy",
            inputs={"model": f"models:/{model}/2"},
            target="local",
            endpoint="node-endpoint",
            reason="the node's own deployment",
        )

    result = run_dag_object(dag)

    assert result.task_states == {"deploy": "success"}, result
    target = get_target("local", tracking_uri=mlflow.url, serving_url=serving.url)
    assert target.get_deployment("node-endpoint")["version"] == "2"
    assert list(target.predict("node-endpoint", FRAME)["predictions"]) == pytest.approx(_want(3.0))
    client = MlflowClient(mlflow.url)
    assert version_by_alias(client, model, "champion").version == "2"
    [event] = deployment_history(client, model)
    assert (event["target"], event["endpoint"], event["reason"]) == (
        "local",
        "node-endpoint",
        "the node's own deployment",
    )
