"""The `model_validation` and `model_benchmark` DAGs, run with dag.test() against real MLflow."""

from __future__ import annotations

import json

import pytest
from mlflow import MlflowClient

from airloom import model_tags
from tests.harness.airflow import run_dag
from tests.integration.marketplace.models import register_model

pytestmark = pytest.mark.usefixtures("airflow_db", "airloom_connections")


@pytest.fixture(scope="module")
def client(mlflow) -> MlflowClient:
    return MlflowClient(tracking_uri=mlflow.url, registry_uri=mlflow.url)


def _tags(client: MlflowClient, name: str, version: int) -> dict[str, str]:
    return client.get_model_version(name, str(version)).tags


def _checks(tags: dict[str, str]) -> dict[str, bool]:
    report = json.loads(tags[model_tags.VALIDATION_REPORT])
    return {check["name"]: check["passed"] for check in report["checks"]}


def test_a_sound_challenger_passes_every_check_and_the_report_lands_on_the_version(
    mlflow, client, marketplace
) -> None:
    champion = register_model(mlflow.url, "dag_churn", metrics={"roc_auc": 0.90})
    client.set_registered_model_alias("dag_churn", "champion", str(champion))
    challenger = register_model(mlflow.url, "dag_churn", metrics={"roc_auc": 0.92})

    result = run_dag("model_validation", {"model_name": "dag_churn", "version": challenger})

    assert result.succeeded, result.task_states
    tags = _tags(client, "dag_churn", challenger)
    assert tags[model_tags.VALIDATION_STATUS] == "passed"
    assert tags[model_tags.VALIDATION_RUN_ID] == result.run_id
    assert all(_checks(tags).values()), tags[model_tags.VALIDATION_REPORT]
    report = json.loads(tags[model_tags.VALIDATION_REPORT])
    assert report["champion_version"] == champion

    # The marketplace shows the stored result (the model has no tenant tag: "default").
    marketplace.sync()
    headers = marketplace.key("default")
    path = f"/api/v1/models/dag_churn/versions/{challenger}"
    status = marketplace.client.get(f"{path}/validation", headers=headers).json()
    assert status["status"] == "passed"
    assert status["result"]["run_id"] == result.run_id
    assert len(status["result"]["report"]["checks"]) == 5
    version = marketplace.client.get(path, headers=headers).json()
    assert version["validation_status"] == "passed"
    card = marketplace.client.get(
        "/api/v1/models/dag_churn/card.md", params={"version": challenger}, headers=headers
    ).text
    assert "**passed** against champion version 1" in card
    assert "| loads_in_fresh_environment | pass |" in card


def test_a_challenger_worse_than_the_champion_fails_the_threshold_check(
    mlflow, client, marketplace
) -> None:
    champion = register_model(mlflow.url, "dag_worse", metrics={"roc_auc": 0.90})
    client.set_registered_model_alias("dag_worse", "champion", str(champion))
    worse = register_model(mlflow.url, "dag_worse", metrics={"roc_auc": 0.60})

    result = run_dag(
        "model_validation",
        {
            "model_name": "dag_worse",
            "version": worse,
            "thresholds": {"roc_auc": {"goal": "maximize", "tolerance": 0.05}},
        },
    )

    assert not result.succeeded
    tags = _tags(client, "dag_worse", worse)
    assert tags[model_tags.VALIDATION_STATUS] == "failed"
    checks = _checks(tags)
    assert checks["metric_thresholds"] is False
    assert checks["input_example_predicts"] is True
    report = json.loads(tags[model_tags.VALIDATION_REPORT])
    detail = next(c["detail"] for c in report["checks"] if c["name"] == "metric_thresholds")
    assert "roc_auc=0.6" in detail and "0.9" in detail

    marketplace.sync()
    status = marketplace.client.get(
        f"/api/v1/models/dag_worse/versions/{worse}/validation",
        headers=marketplace.key("default"),
    ).json()
    assert status["status"] == "failed"


def test_a_model_without_signature_or_example_fails_validation(mlflow, client) -> None:
    bare = register_model(mlflow.url, "dag_bare", with_example=False)

    result = run_dag("model_validation", {"model_name": "dag_bare", "version": bare})

    assert not result.succeeded
    checks = _checks(_tags(client, "dag_bare", bare))
    assert checks["signature_present"] is False
    assert checks["input_example_predicts"] is False
    assert checks["loads_in_fresh_environment"] is True


def test_validating_an_unknown_version_fails_in_resolve_and_writes_nothing(mlflow) -> None:
    result = run_dag("model_validation", {"model_name": "no_such_model", "version": 1})

    assert not result.succeeded
    assert result.task_states["resolve"] == "failed"


def test_benchmark_stores_latency_percentiles_and_throughput_per_concurrency(
    mlflow, client, marketplace
) -> None:
    version = register_model(mlflow.url, "dag_bench")

    result = run_dag(
        "model_benchmark",
        {
            "model_name": "dag_bench",
            "version": version,
            "concurrency": [1, 8, 32],
            "requests_per_level": 40,
        },
    )

    assert result.succeeded, result.task_states
    tags = _tags(client, "dag_bench", version)
    assert tags[model_tags.BENCHMARK_STATUS] == "completed"
    report = json.loads(tags[model_tags.BENCHMARK_REPORT])
    assert [level["concurrency"] for level in report["levels"]] == [1, 8, 32]
    for level in report["levels"]:
        assert level["requests"] == 40
        assert 0 < level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"]
        assert level["throughput_rps"] > 0
    assert report["payload_rows"] == 3

    marketplace.sync()
    headers = marketplace.key("default")
    status = marketplace.client.get(
        f"/api/v1/models/dag_bench/versions/{version}/benchmark", headers=headers
    ).json()
    assert status["status"] == "completed"
    assert status["result"]["report"]["levels"] == report["levels"]
    second = register_model(mlflow.url, "dag_bench")
    marketplace.sync()
    compared = marketplace.client.post(
        "/api/v1/compare",
        json={"versions": [{"name": "dag_bench", "version": v} for v in (version, second)]},
        headers=headers,
    ).json()
    assert compared["versions"][0]["benchmark"]["levels"] == report["levels"]
    assert compared["versions"][1]["benchmark"] is None
    card = marketplace.client.get(
        "/api/v1/models/dag_bench/card.md", params={"version": version}, headers=headers
    ).text
    p99 = report["levels"][2]["p99_ms"]
    assert f"| 32 | {report['levels'][2]['p50_ms']} |" in card and str(p99) in card
