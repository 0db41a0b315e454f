"""spark_transform on EMR Serverless waits in the triggerer, against moto in server mode.

``dag.test()`` runs a deferred task's trigger in line (``_run_inline_trigger``) and resumes the
task with its event; the tests watch that function, so they see which triggers the task
deferred to and what each yielded. A task that waited in its worker would defer to none.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from airflow.sdk import DAG

from airloom.operators.failures import ERROR_KEY
from airloom.operators.spark import EMR_JOB_RUN_KEY, SparkTransformOperator
from airloom.spark.emr_serverless import (
    EmrServerlessJobError,
    EmrServerlessTarget,
    application_started_trigger,
    check_application_started,
    check_job_succeeded,
    job_completed_trigger,
)
from tests.harness.airflow import run_dag_object

ROLE = "arn:aws:iam::123456789012:role/airloom-emr-serverless"
AWS_CONN_ID = "airloom_aws_emr"
JOB_TRIGGER = "airflow.providers.amazon.aws.triggers.emr.EmrServerlessStartJobTrigger"
APPLICATION_TRIGGER = (
    "airflow.providers.amazon.aws.triggers.emr.EmrServerlessStartApplicationTrigger"
)


@pytest.fixture
def emr(moto, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An EMR Serverless client on moto, and the AWS connection the triggers use to reach it."""
    aws = {"endpoint_url": moto.url, "region_name": "us-east-1"}
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{AWS_CONN_ID.upper()}",
        json.dumps({"conn_type": "aws", "login": "testing", "password": "testing", "extra": aws}),
    )
    return boto3.client(
        "emr-serverless", aws_access_key_id="testing", aws_secret_access_key="testing", **aws
    )


def _stopped_application(emr: Any) -> str:
    application_id = emr.create_application(name="airloom", releaseLabel="emr-7.9.0", type="SPARK")[
        "applicationId"
    ]
    emr.stop_application(applicationId=application_id)
    return application_id


def _target(application_id: str) -> EmrServerlessTarget:
    return EmrServerlessTarget(
        application_id=application_id,
        execution_role_arn=ROLE,
        job_script_s3_uri="s3://airloom-code/spark/entrypoint.py",
        aws_conn_id=AWS_CONN_ID,
        region_name="us-east-1",
        waiter_delay=1,
        waiter_max_attempts=5,
    )


@dataclass
class InlineTriggers:
    """What ``dag.test()`` ran in the triggerer's place: each trigger and the event it gave."""

    runs: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    before: Callable[[Any], None] = lambda trigger: None  # what changes on AWS meanwhile


@pytest.fixture
def inline_triggers(monkeypatch: pytest.MonkeyPatch) -> InlineTriggers:
    from airflow.sdk.definitions import dag as dag_module

    seen = InlineTriggers()
    run_trigger = dag_module._run_inline_trigger

    def watched(trigger: Any, ti: Any) -> Any:
        seen.before(trigger)
        event = run_trigger(trigger, ti)
        classpath, _ = trigger.serialize()
        seen.runs.append((classpath, event.payload if event else None))
        return event

    monkeypatch.setattr(dag_module, "_run_inline_trigger", watched)
    return seen


@pytest.fixture
def emr_spark_connection(emr: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A Spark connection on a stopped EMR Serverless application; yields the application."""
    application_id = _stopped_application(emr)
    extra = {
        "deploy_mode": "emr-serverless",
        "application_id": application_id,
        "execution_role_arn": ROLE,
        "job_script_s3_uri": "s3://airloom-code/spark/entrypoint.py",
        "aws_conn_id": AWS_CONN_ID,
        "waiter_delay": 1,
        "waiter_max_attempts": 5,
    }
    monkeypatch.setenv(
        "AIRFLOW_CONN_AIRLOOM_SPARK_EMR_DEFERRED",
        json.dumps({"conn_type": "spark", "extra": extra}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_AIRLOOM_LAKE_S3",
        json.dumps({"conn_type": "aws", "extra": {"path": "s3://airloom-lake/prod"}}),
    )
    yield application_id


def _emr_dag(dag_id: str) -> DAG:
    with DAG(dag_id, schedule=None) as dag:
        SparkTransformOperator(
            task_id="daily_counts",
            sql="SELECT event_type, count(*) AS n FROM customer_events GROUP BY event_type",
            output_dataset="crm/daily_counts",
            inputs={"tables": ["s3://airloom-lake/prod/crm/customer_events"]},
            spark_conn_id="airloom_spark_emr_deferred",
            lake_conn_id="airloom_lake_s3",
        )
    return dag


def _xcom(dag_id: str, run_id: str, key: str) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    where = {"dag_id": dag_id, "run_id": run_id, "task_id": "daily_counts", "key": key}
    with create_session() as session:
        row = session.scalars(select(XComModel).filter_by(**where)).one()
        return XComModel.deserialize_value(row)


def test_a_node_on_emr_defers_to_the_providers_triggers_and_resumes_with_their_events(
    airflow_db, emr: Any, emr_spark_connection: str, inline_triggers: InlineTriggers
) -> None:
    application_id = emr_spark_connection

    result = run_dag_object(_emr_dag("spark_on_emr_deferred"))

    assert result.succeeded, result.task_states
    assert result.xcoms["daily_counts"]["table"] == "s3://airloom-lake/prod/crm/daily_counts"
    (job_run,) = emr.list_job_runs(applicationId=application_id)["jobRuns"]
    assert job_run["state"] == "SUCCESS"
    # The application was stopped: the task started it and waited for it in the triggerer,
    # then started the job run and waited for that there too, resuming with each event.
    assert inline_triggers.runs == [
        (APPLICATION_TRIGGER, {"status": "success", "application_id": application_id}),
        (
            JOB_TRIGGER,
            {
                "status": "success",
                "job_details": {"application_id": application_id, "job_id": job_run["id"]},
            },
        ),
    ]
    assert emr.get_application(applicationId=application_id)["application"]["state"] == "STARTED"
    assert _xcom("spark_on_emr_deferred", result.run_id, EMR_JOB_RUN_KEY) == job_run["id"]


def test_a_job_run_cancelled_on_emr_fails_the_node_with_its_id_and_state(
    airflow_db, emr: Any, emr_spark_connection: str, inline_triggers: InlineTriggers
) -> None:
    application_id = emr_spark_connection

    def cancel_the_job_run(trigger: Any) -> None:
        if trigger.serialize()[0] == JOB_TRIGGER:  # someone cancels it in the EMR console
            emr.cancel_job_run(applicationId=application_id, jobRunId=trigger.job_id)

    inline_triggers.before = cancel_the_job_run

    result = run_dag_object(_emr_dag("spark_on_emr_cancelled"))

    assert result.task_states == {"daily_counts": "failed"}
    (job_run,) = emr.list_job_runs(applicationId=application_id)["jobRuns"]
    assert [classpath for classpath, _ in inline_triggers.runs] == [
        APPLICATION_TRIGGER,
        JOB_TRIGGER,
    ]
    assert inline_triggers.runs[-1][1]["status"] == "failure"
    error = _xcom("spark_on_emr_cancelled", result.run_id, ERROR_KEY)
    assert error["summary"] == (
        f"node 'daily_counts': EMR Serverless job run {job_run['id']} on application "
        f"{application_id} ended CANCELLED: no details given"
    )
    assert error["retryable"] is True  # a cancelled run may well succeed when tried again


def _first_event(trigger: Any) -> dict[str, Any]:
    async def first() -> dict[str, Any]:
        async for event in trigger.run():
            return event.payload
        raise AssertionError(f"{trigger!r} yielded no event")

    return asyncio.run(first())


def test_an_application_that_does_not_start_fails_the_wait_naming_it_and_its_state(
    emr: Any,
) -> None:
    application_id = _stopped_application(emr)  # and nobody starts it
    target = _target(application_id)

    event = _first_event(application_started_trigger(target))

    assert event["status"] == "error"
    with pytest.raises(EmrServerlessJobError) as failure:
        check_application_started(target, event, "node 'daily_counts'")
    assert str(failure.value).startswith(
        f"node 'daily_counts': EMR Serverless application {application_id} did not start: "
        "it is STOPPED"
    )


def test_the_job_runs_own_state_decides_when_the_wait_gave_up(emr: Any) -> None:
    application_id = emr.create_application(name="airloom", releaseLabel="emr-7.9.0", type="SPARK")[
        "applicationId"
    ]
    target = _target(application_id)
    job_run_id = emr.start_job_run(
        applicationId=application_id,
        executionRoleArn=ROLE,
        jobDriver={"sparkSubmit": {"entryPoint": target.job_script_s3_uri}},
    )["jobRunId"]

    event = _first_event(job_completed_trigger(target, job_run_id))
    assert event == {
        "status": "success",
        "job_details": {"application_id": application_id, "job_id": job_run_id},
    }
    # A wait that lost touch with AWS after the run had succeeded: the run's state decides.
    lost = {"status": "failure", "message": "Could not connect to the endpoint URL"}
    check_job_succeeded(target, job_run_id, lost, "node 'daily_counts'")
