"""What an EMR Serverless wait hands to the triggerer: the connection's settings, and time."""

from __future__ import annotations

import pytest

from airloom.spark.emr_serverless import (
    EmrServerlessTarget,
    application_started_trigger,
    job_completed_trigger,
    wait_timeout,
)

EXTRA = {
    "application_id": "00fabc123",
    "execution_role_arn": "arn:aws:iam::123456789012:role/airloom-emr-serverless",
    "job_script_s3_uri": "s3://airloom-code/spark/entrypoint.py",
    "aws_conn_id": "airloom_aws",
    "region_name": "eu-west-1",
    "waiter_delay": 20,
    "waiter_max_attempts": 90,
}


def test_the_triggers_reach_aws_as_the_spark_connection_says() -> None:
    target = EmrServerlessTarget.from_extra(EXTRA, "airloom_spark")
    # serialize() is what crosses into the triggerer process: it must carry it all.
    common = {
        "aws_conn_id": "airloom_aws",
        "region_name": "eu-west-1",
        "waiter_delay": 20,
        "waiter_max_attempts": 90,
        "application_id": "00fabc123",
    }
    assert application_started_trigger(target).serialize() == (
        "airflow.providers.amazon.aws.triggers.emr.EmrServerlessStartApplicationTrigger",
        common,
    )
    assert job_completed_trigger(target, "job-1").serialize() == (
        "airflow.providers.amazon.aws.triggers.emr.EmrServerlessStartJobTrigger",
        {**common, "job_id": "job-1", "cancel_on_kill": True},  # a killed task cancels its run
    )


def test_the_trigger_gives_up_before_airflow_times_the_wait_out() -> None:
    """So the task resumes and cancels a run still going, instead of timing out blind."""
    target = EmrServerlessTarget.from_extra(EXTRA, "airloom_spark")
    polling = target.waiter_delay * target.waiter_max_attempts
    assert polling < wait_timeout(target).total_seconds() <= polling + 5 * target.waiter_delay


def test_a_connection_missing_settings_is_named() -> None:
    with pytest.raises(ValueError, match=r"'airloom_spark' .* lacks execution_role_arn"):
        EmrServerlessTarget.from_extra(
            {"application_id": "00fabc123", "job_script_s3_uri": "s3://b/e.py"}, "airloom_spark"
        )
