"""The deployment rollout in real DAG runs (dag.test(), which runs a deferred task's trigger in
line): a real serving process and MLflow server; a version that does not answer is rolled
back; a rollback is the same rollout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from mlflow import MlflowClient

from airloom.deploy import DeploymentNotFound, get_target
from airloom.deploy.registry_target import deployment_history
from airloom.ml.registry import version_by_alias
from tests.harness.airflow import run_dag
from tests.harness.sagemaker import sagemaker_on_moto
from tests.harness.servers import RunningServer
from tests.integration.deploy.support import register_broken
from tests.integration.serving.support import expected, register_linear, serving_server

pytestmark = pytest.mark.usefixtures("airflow_db", "airloom_connections")

MODEL = "rollout-churn"
FRAME = pd.DataFrame({"tenure": [1.0, 4.0], "spend": [2.0, 0.5]})


@pytest.fixture(scope="module")
def serving(mlflow, tmp_path_factory) -> Iterator[RunningServer]:
    with (
        serving_server(tmp_path_factory.mktemp("serving"), mlflow.url) as server,
        pytest.MonkeyPatch.context() as env,
    ):
        env.setenv("AIRLOOM_SERVING_URL", server.url)
        yield server


@pytest.fixture(scope="module")
def versions(mlflow, tmp_path_factory) -> dict[str, int]:
    return {
        "first": register_linear(mlflow.url, MODEL, slope=2.0),
        "second": register_linear(mlflow.url, MODEL, slope=3.0),
        "broken": register_broken(mlflow.url, MODEL, tmp_path_factory.mktemp("broken")),
    }


@pytest.fixture
def triggers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any] | None]]:
    """What dag.test() ran in the triggerer's place (it runs a deferred task's trigger in
    line): each trigger's classpath and the event it gave. A task that waits in its worker
    (a poke sensor, a sleeping loop) runs none."""
    from airflow.sdk.definitions import dag as dag_module

    runs: list[tuple[str, dict[str, Any] | None]] = []
    run_trigger = dag_module._run_inline_trigger

    def watched(trigger: Any, ti: Any) -> Any:
        event = run_trigger(trigger, ti)
        runs.append((trigger.serialize()[0], event.payload if event else None))
        return event

    monkeypatch.setattr(dag_module, "_run_inline_trigger", watched)
    return runs


def _deploy(version: int, endpoint: str, **conf) -> tuple[dict, dict]:
    """Run model_deployment; the rollout's task state and its `deployment` XCom."""
    result = run_dag(
        "model_deployment",
        {"model_name": MODEL, "version": version, "endpoint": endpoint,
         "require_validation": False, "deployed_by": "ann@acme", **conf},
    )  # fmt: skip
    return result.task_states, _xcom(result.run_id, "deployment")


def _xcom(run_id: str, key: str) -> dict:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    where = {"dag_id": "model_deployment", "run_id": run_id, "task_id": "rollout", "key": key}
    with create_session() as session:
        value = session.scalar(select(XComModel.value).filter_by(**where))
    return json.loads(value) if isinstance(value, str) else value


def _predictions(serving: RunningServer, mlflow, endpoint: str) -> list[float]:
    target = get_target("local", tracking_uri=mlflow.url, serving_url=serving.url)
    return list(target.predict(endpoint, FRAME)["predictions"])


def _want(slope: float) -> list[float]:
    return [expected(slope, t, s) for t, s in FRAME.itertuples(index=False)]


def test_a_version_that_does_not_answer_is_rolled_back(mlflow, serving, versions, triggers) -> None:
    client = MlflowClient(mlflow.url)
    states, first = _deploy(versions["first"], "rollout-live", reason="first release")

    assert states == {"rollout": "success"}
    assert first == {
        "phase": "ready", "reason": None, "validation": None, "validation_run_id": None,
        "endpoint": "rollout-live", "model_uri": f"models:/{MODEL}/{versions['first']}",
        "previous_model_uri": None, "rolled_back": False,
    }  # fmt: skip
    # The task waited for the endpoint deferred, in the readiness trigger, not in a sensor.
    [(classpath, event)] = triggers
    assert classpath == "airloom.deploy.triggers.EndpointReadyTrigger"
    assert (event["status"], event["endpoint"]) == ("ready", "rollout-live")
    assert _predictions(serving, mlflow, "rollout-live") == pytest.approx(_want(2.0))

    states, failed = _deploy(versions["broken"], "rollout-live", reason="will not answer")

    assert states == {"rollout": "failed"}
    assert triggers[-1][1]["status"] == "failed"  # it answered; with an error
    assert failed["phase"] == "failed" and failed["rolled_back"] is True
    assert failed["previous_model_uri"] == f"models:/{MODEL}/{versions['first']}"
    assert "cannot score its own input example" in failed["reason"], failed
    assert f"back on models:/{MODEL}/{versions['first']}" in failed["reason"]
    # The endpoint serves what it served before, and champion and history did not move.
    served = get_target("local", tracking_uri=mlflow.url).get_deployment("rollout-live")
    assert (served["version"], served["status"]) == (str(versions["first"]), "ready")
    assert _predictions(serving, mlflow, "rollout-live") == pytest.approx(_want(2.0))
    assert version_by_alias(client, MODEL, "champion").version == str(versions["first"])
    assert [e["version"] for e in deployment_history(client, MODEL)] == [str(versions["first"])]


def test_a_new_endpoint_that_does_not_answer_is_removed(mlflow, serving, versions) -> None:
    champion = version_by_alias(MlflowClient(mlflow.url), MODEL, "champion")

    states, failed = _deploy(versions["broken"], "rollout-new")

    assert states == {"rollout": "failed"}
    assert (failed["phase"], failed["rolled_back"], failed["previous_model_uri"]) == (
        "failed",
        True,
        None,
    )
    with pytest.raises(DeploymentNotFound):
        get_target("local", tracking_uri=mlflow.url).get_deployment("rollout-new")
    after = version_by_alias(MlflowClient(mlflow.url), MODEL, "champion")
    assert (after and after.version) == (champion and champion.version)


def test_a_rollback_is_the_same_rollout(mlflow, serving, versions) -> None:
    client = MlflowClient(mlflow.url)
    _deploy(versions["first"], "rollout-back")
    states, second = _deploy(versions["second"], "rollout-back", reason="better recall")
    assert states == {"rollout": "success"} and second["phase"] == "ready"
    assert _predictions(serving, mlflow, "rollout-back") == pytest.approx(_want(3.0))

    states, back = _deploy(versions["first"], "rollout-back", action="rollback")

    assert states == {"rollout": "success"}
    assert (back["phase"], back["previous_model_uri"]) == (
        "ready",
        f"models:/{MODEL}/{versions['second']}",
    )
    assert _predictions(serving, mlflow, "rollout-back") == pytest.approx(_want(2.0))
    assert version_by_alias(client, MODEL, "champion").version == str(versions["first"])
    last = deployment_history(client, MODEL)[-1]
    assert (last["version"], last["from_version"], last["reason"], last["deployed_by"]) == (
        str(versions["first"]),
        str(versions["second"]),
        "rollback",
        "ann@acme",
    )


def test_a_bad_conf_or_target_fails_before_anything_changes(mlflow, serving, versions) -> None:
    states, status = _deploy(versions["second"], "rollout-nowhere", target="nowhere")
    assert states == {"rollout": "failed"}
    assert status["phase"] == "failed"
    assert status["reason"].startswith("unknown deployment target 'nowhere'; known targets:")

    unknown = run_dag("model_deployment", {"model_name": MODEL, "version": 1, "colour": "red"})
    assert unknown.task_states == {"rollout": "failed"}
    with pytest.raises(DeploymentNotFound):
        get_target("local", tracking_uri=mlflow.url).get_deployment("rollout-nowhere")


def test_a_sagemaker_endpoint_is_awaited_deferred(moto, mlflow, versions, triggers) -> None:
    """On moto, which creates endpoints InService at once: the rollout creates the endpoint
    without waiting, defers (to the Amazon provider's SageMakerTrigger), then promotes."""
    with sagemaker_on_moto(moto.url, "airloom-rollout-sm"):
        states, status = _deploy(versions["second"], "rollout-sm", target="sagemaker")
        served = get_target("sagemaker", tracking_uri=mlflow.url).get_deployment("rollout-sm")

    assert states == {"rollout": "success"}, status
    assert (status["phase"], status["endpoint"]) == ("ready", "rollout-sm")
    [(classpath, event)] = triggers
    assert classpath == "airflow.providers.amazon.aws.triggers.sagemaker.SageMakerTrigger"
    assert (event["status"], event["job_name"]) == ("success", "rollout-sm")
    assert (served["status"], served["version"]) == ("InService", str(versions["second"]))
    champion = version_by_alias(MlflowClient(mlflow.url), MODEL, "champion")
    assert champion.version == str(versions["second"])
