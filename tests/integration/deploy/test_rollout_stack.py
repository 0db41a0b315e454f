"""The rollout on the whole local stack (scheduler, triggerer, api-server, serving): a version
never validated is validated inside the rollout, which waits for it deferred, its phase
readable through Airflow's REST API the whole time; a failed validation changes nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from mlflow import MlflowClient

from airloom import model_tags
from airloom.deploy.registry_target import deployment_history
from airloom.ml.registry import version_by_alias
from tests.e2e.stack_api import wait_until
from tests.harness.stack import LocalStack
from tests.integration.deploy.support import register_broken
from tests.integration.serving.support import register_linear

DAG_ID = "model_deployment"


def _status(stack: LocalStack, run_id: str) -> dict | None:
    return stack.airflow().xcom_value(DAG_ID, run_id, "rollout", "deployment")


def _rollout_state(stack: LocalStack, run_id: str) -> str | None:
    states = {ti.task_id: ti.state for ti in stack.airflow().task_instances(DAG_ID, run_id)}
    return states.get("rollout")


def test_the_rollout_validates_a_version_first_and_waits_deferred(
    stack: LocalStack, tmp_path: Path
) -> None:
    airflow, tenant = stack.airflow(), stack.tenants[0].name
    model, endpoint = f"{tenant}-rollout", f"{tenant}-rollout"
    good = register_linear(stack.mlflow_url, model, slope=2.0)
    broken = register_broken(stack.mlflow_url, model, tmp_path)
    client = MlflowClient(stack.mlflow_url)
    client.set_registered_model_tag(model, model_tags.TENANT, tenant)
    conf = {"model_name": model, "endpoint": endpoint, "tenant": tenant, "deployed_by": "ann"}

    run = airflow.trigger(DAG_ID, {**conf, "version": good, "reason": "first release"})

    # While model_validation runs, the task is deferred (no worker slot), and the REST API
    # already shows the phase it pushed before deferring.
    validating = wait_until(
        lambda: _rollout_state(stack, run.run_id) == "deferred" and _status(stack, run.run_id),
        timeout=300,
        interval=1,
    )
    assert validating["phase"] == "validating", validating
    assert validating["validation_run_id"] and validating["validation"] is None
    finished = airflow.wait_for_run(DAG_ID, run.run_id, timeout=900)
    assert finished.state == "success", finished

    ready = _status(stack, run.run_id)
    assert (
        ready["phase"] == "ready" and ready["validation_run_id"] == validating["validation_run_id"]
    )
    assert ready["validation"]["status"] == "passed"
    assert airflow.get_run("model_validation", ready["validation_run_id"]).state == "success"
    assert version_by_alias(client, model, "champion").version == str(good)
    [event] = deployment_history(client, model)
    assert (event["version"], event["deployed_by"], event["endpoint"]) == (
        str(good),
        "ann",
        endpoint,
    )
    invocations = stack.url("AIRLOOM_SERVING_PORT", f"/endpoints/{endpoint}/invocations")
    answer = httpx.post(invocations, json={"inputs": {"tenure": [1.0], "spend": [2.0]}}, timeout=30)
    assert answer.json()["predictions"] == pytest.approx([4.0])

    # A version that fails its validation: the run fails with the report, nothing moves.
    failing = airflow.trigger(DAG_ID, {**conf, "version": broken})
    assert airflow.wait_for_run(DAG_ID, failing.run_id, timeout=900).state == "failed"

    failed = _status(stack, failing.run_id)  # pushed before deferring, kept after the failure
    assert failed["phase"] == "failed" and failed["rolled_back"] is False
    assert "failed validation" in failed["reason"], failed
    assert failed["validation"]["status"] == "failed"
    assert failed["validation_run_id"] and failed["previous_model_uri"] is None
    assert airflow.get_run("model_validation", failed["validation_run_id"]).state == "failed"
    error = airflow.xcom_value(DAG_ID, failing.run_id, "rollout", "airloom_error")
    assert error["retryable"] is False and "failed validation" in error["summary"]
    assert version_by_alias(client, model, "champion").version == str(good)
    assert len(deployment_history(client, model)) == 1
    again = httpx.post(invocations, json={"inputs": {"tenure": [1.0], "spend": [2.0]}}, timeout=30)
    assert again.json()["predictions"] == pytest.approx([4.0])
