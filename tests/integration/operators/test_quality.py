"""The quality gate in a real DAG run: reports in MLflow, quarantined rows, warn vs fail."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from airflow.sdk import DAG
from mlflow import MlflowClient

from airloom.datasets import read_table
from airloom.operators.quality import DataQualityOperator
from tests.harness.airflow import run_dag_object
from tests.integration.operators.ml_data import write_dataset

START = datetime(2026, 1, 1)


@pytest.fixture(scope="module")
def orders(lake: Path) -> str:
    frame = pd.DataFrame(
        {
            "id": list(range(1, 11)),
            "amount": [10.0, 20.0, -5.0, 30.0, 40.0, 250.0, 50.0, 60.0, 70.0, 80.0],
            "country": ["FR", "DE", "XX", "FR", "DE", "FR", "YY", "FR", "DE", "FR"],
        }
    )
    return write_dataset(lake, "shop/orders", frame)


def report_of(client: MlflowClient, run_id: str, tmp_path: Path, name: str) -> str:
    return Path(client.download_artifacts(run_id, f"quality/{name}", str(tmp_path))).read_text()


def test_warn_failures_are_reported_and_the_rows_go_on(
    airflow_db, airloom_connections, mlflow, lake: Path, orders: str, tmp_path: Path
) -> None:
    with DAG("test_quality_warn", schedule=None, start_date=START) as dag:
        DataQualityOperator(
            task_id="gate",
            inputs={"table": orders},
            checks=[
                {"check": "not_null", "columns": ["id", "amount"]},
                {"check": "unique", "columns": ["id"]},
                {
                    "check": "allowed_values",
                    "column": "country",
                    "values": ["FR", "DE"],
                    "severity": "warn",
                },
                {"check": "row_count", "min": 5, "max": 1000},
            ],
        )
    result = run_dag_object(dag)

    assert result.task_states == {"gate": "success"}
    outputs = result.xcoms["gate"]
    assert outputs["table"] == (lake / "shop/orders_validated").as_uri()
    validated = read_table(outputs["table"]).to_pandas()
    assert sorted(validated["id"]) == list(range(1, 11))  # warn-only rows stay in
    run_id = outputs["report"].split("/")[1]
    assert outputs["report"] == f"runs:/{run_id}/quality/report.json"
    client = MlflowClient(mlflow.url)
    report = json.loads(report_of(client, run_id, tmp_path, "report.json"))
    assert report["status"] == "warned"
    warned = next(c for c in report["checks"] if c["name"] == "allowed_values(country)")
    assert warned["failed_rows"] == 2 and warned["examples"] == [
        {"row": 2, "value": "XX"},
        {"row": 6, "value": "YY"},
    ]
    assert "<table>" in report_of(client, run_id, tmp_path, "report.html")
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.data.tags["airloom.workflow"] == "test_quality_warn"
    assert run.data.tags["airloom.dataset"] == orders
    assert run.inputs.dataset_inputs[0].dataset.source and orders in (
        run.inputs.dataset_inputs[0].dataset.source
    )
    in_lake = lake / "shop/orders_validated/_quality"
    assert json.loads(next(in_lake.glob("*.json")).read_text())["status"] == "warned"
    assert not (lake / "shop/orders_quarantine").exists()  # nothing failed a 'fail' check


def test_a_fail_check_quarantines_its_rows_reports_and_stops_the_run(
    airflow_db, airloom_connections, mlflow, lake: Path, orders: str, tmp_path: Path, capfd
) -> None:
    with DAG("test_quality_fail", schedule=None, start_date=START) as dag:
        gate = DataQualityOperator(
            task_id="gate",
            inputs={"table": orders},
            output_dataset="shop/orders_strict",
            quarantine_dataset="shop/orders_rejects",
            checks=[
                {"check": "range", "column": "amount", "min": 0, "max": 100},
                {
                    "check": "allowed_values",
                    "column": "country",
                    "values": ["FR", "DE"],
                    "severity": "warn",
                },
            ],
        )
        DataQualityOperator(
            task_id="downstream",
            inputs={"table": gate.port("table")},
            checks=[{"check": "row_count", "min": 1}],
        )
    result = run_dag_object(dag)

    assert result.task_states == {"gate": "failed", "downstream": "upstream_failed"}
    rejects = read_table((lake / "shop/orders_rejects").as_uri()).to_pandas()
    assert {row["id"]: list(row["_failed_checks"]) for _, row in rejects.iterrows()} == {
        3: ["range(amount)", "allowed_values(country)"],
        6: ["range(amount)"],
    }
    assert set(rejects["_quarantined_by_run"]) == {result.run_id}
    assert list((lake / "shop/orders_strict").glob("*.parquet")) == []  # nothing validated

    client = MlflowClient(mlflow.url)
    experiment = client.get_experiment_by_name("airloom-quality")
    [run] = client.search_runs(
        [experiment.experiment_id],
        f"tags.`airloom.run_id` = '{result.run_id}' and "
        "tags.`airloom.workflow` = 'test_quality_fail'",
    )
    assert run.info.status == "FAILED"
    report = json.loads(report_of(client, run.info.run_id, tmp_path, "report.json"))
    assert report["status"] == "failed"
    assert report["counts"]["quarantined_rows"] == 2
    # The task log says what failed, in words, and where the report is.
    log = capfd.readouterr().out
    assert "Data quality FAILED for" in log
    assert "FAIL range(amount): 2 of 10 rows fail: values must be between 0 and 100" in log
    assert f"runs:/{run.info.run_id}/quality/report.json" in log
