"""spark_transform runs for real: local Spark in DAG runs, and EMR Serverless against moto."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import boto3
import pyarrow as pa
import pytest
from airflow.sdk import DAG

from airloom.catalog import NodeConfigError, params_problems
from airloom.datasets import read_table, write_table
from airloom.lake import dataset_asset
from airloom.operators.failures import ERROR_KEY
from airloom.operators.spark import SparkTransformOperator, SparkTransformParams
from airloom.spark.transform import TransformRequest
from tests.harness.airflow import run_dag_object
from tests.harness.spark import use_local_spark

use_local_spark()

EVENTS = pa.table(
    {
        "customer_id": ["a", "a", "a", "b", "b", "c"],
        "event_type": ["login", "purchase", "cancel_request", "login", "purchase", "page_view"],
        "amount": [None, 20.0, None, None, 5.0, None],
        "event_time": pa.array(
            [datetime(2026, 11, d) for d in (1, 2, 3, 1, 9, 10)], pa.timestamp("us", tz="UTC")
        ),
        "plan": ["pro", "pro", "pro", "basic", "basic", "basic"],
        "country": ["DE", "DE", "DE", "FR", "FR", "US"],
    }
)


@pytest.fixture(scope="module")
def events_uri(lake: Path) -> str:
    uri = (lake / "crm" / "customer_events").as_uri()
    write_table(EVENTS, uri, "seed")
    return uri


def _by(table: pa.Table, key: str) -> dict:
    return {row[key]: row for row in table.to_pylist()}


def test_job_then_sql_in_one_dag(airflow_db, airloom_connections, lake: Path, events_uri: str):
    with DAG("spark_transform_chain", schedule=None) as dag:
        features = SparkTransformOperator(
            task_id="churn_features",
            job="churn_features",
            job_params={"reference_time": "2026-11-12T00:00:00"},
            output_dataset="crm/churn_features",
            inputs={"tables": [events_uri]},
        )
        SparkTransformOperator(
            task_id="churn_by_plan",
            sql="SELECT plan, COUNT(*) AS customers, SUM(churned) AS churned, "
            "SUM(total_spend) AS spend FROM churn_features GROUP BY plan",
            output_dataset="crm/churn_by_plan",
            inputs={"tables": [features.port("table")]},
        )
    assert features.outlets == [dataset_asset("crm/churn_features")]

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    features_uri = (lake / "crm" / "churn_features").as_uri()
    assert result.xcoms["churn_features"]["table"] == features_uri
    customers = _by(read_table(features_uri), "customer_id")
    assert {c: row["churned"] for c, row in customers.items()} == {"a": 1, "b": 0, "c": 0}
    assert customers["b"]["days_since_last_event"] == 3
    by_plan = _by(read_table((lake / "crm" / "churn_by_plan").as_uri()), "plan")
    assert by_plan["pro"] == {"plan": "pro", "customers": 1, "churned": 1, "spend": 20.0}
    assert by_plan["basic"] == {"plan": "basic", "customers": 2, "churned": 0, "spend": 5.0}


def test_bad_sql_fails_the_task_naming_it_and_keeps_the_output(
    airflow_db, airloom_connections, lake: Path, events_uri: str, capfd
):
    output = "crm/event_counts"
    good = "SELECT event_type, COUNT(*) AS n FROM customer_events GROUP BY event_type"
    bad = "SELECT event_type, COUNT(*) AS n FROM customer_events GROUP BY event_typo"
    with DAG("spark_transform_good", schedule=None) as dag:
        SparkTransformOperator(
            task_id="count_events", sql=good, output_dataset=output, inputs={"tables": [events_uri]}
        )
    assert run_dag_object(dag).succeeded
    with DAG("spark_transform_bad", schedule=None) as dag:
        SparkTransformOperator(
            task_id="count_events_typo",
            sql=bad,
            output_dataset=output,
            inputs={"tables": [events_uri]},
            retries=2,  # in vain: no try can resolve a column that is not there
            retry_delay=timedelta(hours=1),
        )
    capfd.readouterr()

    result = run_dag_object(dag)

    assert result.task_states == {"count_events_typo": "failed"}
    log = "".join(capfd.readouterr())
    assert "node 'count_events_typo': Spark could not run the SQL statement" in log
    assert bad in log and "UNRESOLVED_COLUMN" in log
    tries, error = _failure(dag.dag_id, result.run_id, "count_events_typo")
    assert tries == 1
    assert error["summary"].startswith("[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column")
    assert "`event_typo`" in error["summary"] and "\n" not in error["summary"]
    assert error["retryable"] is False
    counts = _by(read_table((lake / "crm" / "event_counts").as_uri()), "event_type")
    assert counts["login"]["n"] == 2  # the earlier output is untouched
    assert [p.name for p in (lake / "crm").iterdir() if p.name.startswith("_")] == []


def _failure(dag_id: str, run_id: str, task_id: str) -> tuple[int, dict]:
    """How many tries the task had, and the failure summary it recorded for the builder."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    where = {"dag_id": dag_id, "run_id": run_id, "task_id": task_id}
    with create_session() as session:
        tries = session.scalar(select(TaskInstance.try_number).filter_by(**where))
        error = session.scalar(select(XComModel.value).filter_by(key=ERROR_KEY, **where))
    return tries, json.loads(error) if isinstance(error, str) else error


def test_params_are_checked_when_the_dag_is_parsed() -> None:
    cases = [
        ({"sql": "SELECT 1", "job": "churn_features", "output_dataset": "x"}, "job"),
        ({"sql": "SELECT 1", "output_dataset": "Bad Name"}, "output_dataset"),
        ({"job": "os.system", "output_dataset": "x"}, "job"),
    ]
    for params, field in cases:
        with DAG("spark_transform_invalid", schedule=None), pytest.raises(NodeConfigError) as error:
            SparkTransformOperator(task_id="node", inputs={"tables": ["y"]}, **params)
        assert [problem.field for problem in error.value.problems] == [field]


def test_sql_reads_its_input_views_and_nothing_outside_them(
    airflow_db, airloom_connections, lake: Path, events_uri: str, capfd
):
    attacks = {
        f"SELECT * FROM parquet.`{lake / 'crm' / 'churn_features'}`": "must not read files",
        "SELECT * FROM text.`/etc/passwd`": "must not read files directly",
        "SELECT java_method('java.lang.System', 'getenv', 'HOME') AS home": (
            "must not call java_method(): it runs Java code"
        ),
        "SELECT TRANSFORM(customer_id) USING 'sh -c id' AS (out) FROM customer_events": (
            "must not run a script"
        ),
        "SELECT * FROM other_db.customer_events": "names a table in another database",
    }
    for sql, reason in attacks.items():
        # What the builder reports when the design is validated.
        found = params_problems(SparkTransformParams, {"sql": sql, "output_dataset": "x"})
        assert [problem.field for problem in found] == ["sql"]
        assert reason in found[0].message

    with DAG("spark_transform_outside_its_inputs", schedule=None) as dag:
        SparkTransformOperator(
            task_id="peek",
            sql="SELECT * FROM churn_features",  # a real dataset, but not this node's input
            output_dataset="crm/peek",
            inputs={"tables": [events_uri]},
        )
        SparkTransformOperator(
            task_id="spend_rank",
            sql="WITH spend AS (SELECT customer_id, SUM(amount) AS total FROM customer_events "
            "GROUP BY customer_id) SELECT customer_id, total, "
            "RANK() OVER (ORDER BY total DESC NULLS LAST) AS spend_rank FROM spend",
            output_dataset="crm/spend_rank",
            inputs={"tables": [events_uri]},
        )
    capfd.readouterr()

    result = run_dag_object(dag)

    assert result.task_states == {"peek": "failed", "spend_rank": "success"}
    log = "".join(capfd.readouterr())
    assert (
        "node 'peek': the SQL statement must read only the node's inputs (customer_events), "
        "not 'churn_features'"
    ) in log
    assert not (lake / "crm" / "peek").exists()
    ranks = _by(read_table((lake / "crm" / "spend_rank").as_uri()), "customer_id")
    assert {c: row["spend_rank"] for c, row in ranks.items()} == {"a": 1, "b": 2, "c": 3}


APPLICATION_ROLE = "arn:aws:iam::123456789012:role/airloom-emr-serverless"


def test_emr_serverless_runs_the_same_request_through_the_amazon_provider(
    airflow_db, airloom_connections, moto, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws = {"endpoint_url": moto.url, "region_name": "us-east-1"}
    emr = boto3.client(
        "emr-serverless", aws_access_key_id="testing", aws_secret_access_key="testing", **aws
    )
    application_id = emr.create_application(name="airloom", releaseLabel="emr-7.9.0", type="SPARK")[
        "applicationId"
    ]
    monkeypatch.setenv(
        "AIRFLOW_CONN_AIRLOOM_AWS_TEST",
        json.dumps({"conn_type": "aws", "login": "testing", "password": "testing", "extra": aws}),
    )
    spark_extra = {
        "deploy_mode": "emr-serverless",
        "application_id": application_id,
        "execution_role_arn": APPLICATION_ROLE,
        "job_script_s3_uri": "s3://airloom-code/spark/entrypoint.py",
        "py_files_s3_uri": "s3://airloom-code/spark/airloom.zip",
        "aws_conn_id": "airloom_aws_test",
        "log_uri": "s3://airloom-logs/emr/",
    }
    monkeypatch.setenv(
        "AIRFLOW_CONN_AIRLOOM_SPARK_EMR",
        json.dumps({"conn_type": "spark", "extra": spark_extra}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_AIRLOOM_LAKE_S3",
        json.dumps({"conn_type": "aws", "extra": {"path": "s3://airloom-lake/prod"}}),
    )
    with DAG("spark_transform_emr", schedule=None) as dag:
        SparkTransformOperator(
            task_id="churn_on_emr",
            job="churn_features",
            job_params={"reference_time": "2026-11-12T00:00:00"},
            output_dataset="crm/churn_features",
            inputs={"tables": ["s3://airloom-lake/prod/crm/customer_events"]},
            spark_conn_id="airloom_spark_emr",
            lake_conn_id="airloom_lake_s3",
        )

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    assert result.xcoms["churn_on_emr"]["table"] == "s3://airloom-lake/prod/crm/churn_features"
    (run_summary,) = emr.list_job_runs(applicationId=application_id)["jobRuns"]
    job_run = emr.get_job_run(applicationId=application_id, jobRunId=run_summary["id"])["jobRun"]
    assert job_run["state"] == "SUCCESS"
    assert job_run["executionRole"] == APPLICATION_ROLE
    submit = job_run["jobDriver"]["sparkSubmit"]
    assert submit["entryPoint"] == "s3://airloom-code/spark/entrypoint.py"
    assert "--py-files s3://airloom-code/spark/airloom.zip" in submit["sparkSubmitParameters"]
    # What EMR runs is the request the local path would run, read back by the entry point.
    assert TransformRequest.from_args(submit["entryPointArguments"]) == TransformRequest(
        output_uri="s3://airloom-lake/prod/crm/churn_features",
        inputs={"customer_events": "s3://airloom-lake/prod/crm/customer_events"},
        job="churn_features",
        job_params={"reference_time": "2026-11-12T00:00:00"},
        label="node 'churn_on_emr'",
    )
