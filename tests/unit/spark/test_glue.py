"""What a Glue job run costs, what its wait hands to the triggerer, and how the entry point
finds Airloom's request among Glue's own arguments."""

from __future__ import annotations

import json

import pytest

from airloom.spark.glue import GlueTarget, dpu_hours, job_arguments, job_completed_trigger
from airloom.spark.glue_entrypoint import request_args
from airloom.spark.transform import TransformRequest

TARGET = GlueTarget(
    job_name="airloom-transform",
    worker_type="G.2X",
    number_of_workers=5,
    aws_conn_id="aws_acme",
    region_name="eu-west-1",
    waiter_delay=15,
    waiter_max_attempts=40,
)


def test_a_run_is_billed_per_second_of_its_dpus_with_a_one_minute_minimum() -> None:
    # 5 G.2X workers are 10 DPUs: 15 minutes of them is 2.5 DPU-hours.
    assert dpu_hours({"ExecutionTime": 900}, TARGET) == pytest.approx(2.5)
    # 20 s is billed as a minute.
    assert dpu_hours({"ExecutionTime": 20}, TARGET) == pytest.approx(10 * 60 / 3600)
    # The run's own workers, where Glue reports them, over the node's.
    run = {"ExecutionTime": 3600, "WorkerType": "G.1X", "NumberOfWorkers": 2}
    assert dpu_hours(run, TARGET) == pytest.approx(2)
    # Auto Scaling and Flex runs report DPUSeconds: they are what is billed.
    assert dpu_hours({"ExecutionTime": 3600, "DPUSeconds": 7200.0}, TARGET) == pytest.approx(2)


def test_the_wait_reaches_glue_as_the_node_says() -> None:
    # serialize() is what crosses into the triggerer process: it must carry it all.
    assert job_completed_trigger(TARGET, "jr_1").serialize() == (
        "airflow.providers.amazon.aws.triggers.glue.GlueJobCompleteTrigger",
        {
            "waiter_delay": 15,
            "waiter_max_attempts": 40,
            "aws_conn_id": "aws_acme",
            "job_name": "airloom-transform",
            "run_id": "jr_1",
            "verbose": False,
            "region_name": "eu-west-1",
        },
    )


def test_the_entry_point_takes_the_request_and_leaves_glues_arguments_alone() -> None:
    request = TransformRequest(
        output_uri="s3://lake/tenants/acme/totals",
        inputs={"orders": "s3://lake/tenants/acme/orders"},
        sql="SELECT customer, sum(amount) AS total FROM orders GROUP BY customer",
        label="node 'totals'",
    )
    ((name, value),) = job_arguments(request).items()
    argv = ["--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1", name, value, "--TempDir", "s3://tmp/"]

    args = request_args(argv)

    assert TransformRequest.from_args(args) == request
    with pytest.raises(ValueError, match="--airloom_request must be a JSON list of strings"):
        request_args(["--airloom_request", json.dumps({"sql": "SELECT 1"})])
