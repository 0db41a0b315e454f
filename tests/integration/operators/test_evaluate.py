"""Evaluation in a real DAG run: a candidate that holds up becomes challenger; one that does not
stops the run with a readable report, and the champion stays where it was."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from airflow.sdk import DAG
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression

from airloom.ml.evaluation import NO_CHAMPION_NOTE
from airloom.ml.registry import version_by_alias
from airloom.operators.deploy import DeployModelOperator
from airloom.operators.mlflow import EvaluateModelOperator, TrainModelOperator
from tests.harness.airflow import run_dag_object
from tests.integration.operators.ml_data import churn, register_version, write_dataset

START = datetime(2026, 1, 1)
FEATURES = ["tenure", "spend", "noise"]


@pytest.fixture(scope="module")
def datasets(lake: Path) -> dict[str, str]:
    return {
        "train": write_dataset(lake, "ml/eval_train", churn(seed=0)),
        "holdout": write_dataset(lake, "ml/eval_holdout", churn(rows=120, seed=1)),
    }


def champion(name: str, mlflow_url: str, *, skilled: bool) -> str:
    """Register version 1 of ``name`` as champion: a skilled model, or one fit on noise."""
    frame = churn(seed=2)
    labels = frame["churned"] if skilled else np.random.default_rng(2).permutation(frame["churned"])
    model = LogisticRegression(max_iter=500).fit(frame[FEATURES], labels)
    return register_version(mlflow_url, name, model, frame[FEATURES], alias="champion")


def report(client: MlflowClient, run_ref: str, tmp_path: Path) -> dict:
    run_id, artifact = run_ref.removeprefix("runs:/").split("/", 1)
    return json.loads(Path(client.download_artifacts(run_id, artifact, str(tmp_path))).read_text())


def test_a_candidate_that_holds_up_becomes_challenger(
    airflow_db, airloom_connections, mlflow, datasets: dict, tmp_path: Path
) -> None:
    champion("test-eval-pass", mlflow.url, skilled=False)
    with DAG("test_evaluate_pass", schedule=None, start_date=START) as dag:
        for name, thresholds in (
            ("test-eval-pass", {"roc_auc": {"min": 0.7, "min_relative_to_champion": -0.02}}),
            ("test-eval-first", {"roc_auc": {"min": 0.7, "min_relative_to_champion": 0.5}}),
        ):
            train = TrainModelOperator(
                task_id=f"train_{name}",
                inputs={"table": datasets["train"]},
                estimator="logistic_regression",
                target="churned",
                registered_model_name=name,
            )
            EvaluateModelOperator(
                task_id=f"evaluate_{name}",
                inputs={"model": train.port("model"), "table": datasets["holdout"]},
                target="churned",
                thresholds=thresholds,
            )
    result = run_dag_object(dag)

    assert set(result.task_states.values()) == {"success"}, result.task_states
    client = MlflowClient(mlflow.url)
    assert version_by_alias(client, "test-eval-pass", "challenger").version == "2"
    assert version_by_alias(client, "test-eval-pass", "champion").version == "1"  # unchanged
    outputs = result.xcoms["evaluate_test-eval-pass"]
    assert outputs["model"] == "models:/test-eval-pass/2"
    compared = report(client, outputs["report"], tmp_path / "pass")
    assert compared["passed"] and compared["champion"] == "models:/test-eval-pass/1"
    roc_auc = next(m for m in compared["metrics"] if m["metric"] == "roc_auc")
    assert roc_auc["verdict"] == "pass" and roc_auc["candidate"] > 0.9 > roc_auc["champion"]
    tags = client.get_model_version("test-eval-pass", "2").tags
    assert tags["airloom.evaluation.status"] == "passed"
    assert tags["airloom.evaluation.report"] == outputs["report"]

    # With no champion yet, only the absolute threshold applies, and the report says so.
    first = report(client, result.xcoms["evaluate_test-eval-first"]["report"], tmp_path / "first")
    assert first["passed"] and first["champion"] is None and first["note"] == NO_CHAMPION_NOTE
    assert version_by_alias(client, "test-eval-first", "challenger").version == "1"


def test_a_candidate_worse_than_the_champion_stops_the_run(
    airflow_db, airloom_connections, mlflow, datasets: dict, tmp_path: Path, capfd
) -> None:
    champion("test-eval-fail", mlflow.url, skilled=True)
    with DAG("test_evaluate_fail", schedule=None, start_date=START) as dag:
        train = TrainModelOperator(
            task_id="train",
            inputs={"table": datasets["train"]},
            estimator="logistic_regression",
            target="churned",
            feature_columns=["noise"],  # a candidate that learned nothing
            registered_model_name="test-eval-fail",
        )
        evaluate = EvaluateModelOperator(
            task_id="evaluate",
            inputs={"model": train.port("model"), "table": datasets["holdout"]},
            target="churned",
            thresholds={"roc_auc": {"min_relative_to_champion": -0.02}, "f1": {"min": 0.0}},
        )
        DeployModelOperator(task_id="deploy", inputs={"model": evaluate.port("model")})
    result = run_dag_object(dag)

    assert result.task_states == {
        "train": "success",
        "evaluate": "failed",
        "deploy": "upstream_failed",
    }
    client = MlflowClient(mlflow.url)
    assert version_by_alias(client, "test-eval-fail", "champion").version == "1"
    assert version_by_alias(client, "test-eval-fail", "challenger") is None
    tags = client.get_model_version("test-eval-fail", "2").tags
    assert tags["airloom.evaluation.status"] == "failed"
    compared = report(client, tags["airloom.evaluation.report"], tmp_path)
    verdicts = {m["metric"]: m for m in compared["metrics"]}
    assert verdicts["roc_auc"]["verdict"] == "FAIL" and verdicts["f1"]["verdict"] == "pass"
    assert verdicts["roc_auc"]["champion"] > 0.9

    log = capfd.readouterr().out
    assert (
        "Candidate models:/test-eval-fail/2 FAILED evaluation on "
        f"{datasets['holdout']} (120 rows) against champion models:/test-eval-fail/1." in log
    )
    roc_auc = verdicts["roc_auc"]
    assert (
        f"FAIL roc_auc: candidate {roc_auc['candidate']:.4f}, champion {roc_auc['champion']:.4f}"
        in log
    )
    assert "vs champion, -2.0% required" in log
