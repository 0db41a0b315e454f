"""The ``glue_job`` node: a Spark transformation run as an AWS Glue job, deferring while it runs.

Beside local Spark and EMR Serverless (``spark_transform``), the same request — SQL over the
input views, or a registered PySpark job — runs on a Glue job an admin created for Airloom
(:mod:`airloom.spark.glue`). Heavy imports (boto3, the provider's Glue modules) happen inside
the methods that run, so DAG files parse fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from airflow.sdk import Context
from pydantic import Field

from airloom.catalog import Port, PortType
from airloom.catalog.resources import AwsConnectionRef
from airloom.operators.base import AirloomOperator
from airloom.operators.spark import SparkQueryParams, table_uri, transform_request

if TYPE_CHECKING:
    from airloom.spark.glue import GlueTarget

# The Glue job run a deferred task waits for, in its XCom.
GLUE_JOB_RUN_KEY = "glue_job_run_id"
DEFAULT_JOB_NAME = "airloom-transform"

WorkerType = Literal["G.025X", "G.1X", "G.2X", "G.4X", "G.8X"]


class GlueJobParams(SparkQueryParams):
    job_name: str = Field(
        default=DEFAULT_JOB_NAME,
        pattern=r"^airloom-[A-Za-z0-9_.-]{1,247}$",
        description="The Glue job an admin created to run Airloom's transformations (its script "
        "is Airloom's glue_entrypoint.py, its name starts with 'airloom-', the jobs a tenant's "
        "AWS role may run); each run of this node is one run of that job.",
    )
    worker_type: WorkerType = Field(  # type: ignore[valid-type]
        default="G.1X",
        description="Glue worker size: G.1X is 1 DPU (4 vCPU, 16 GB), G.2X 2 DPU, G.4X 4 DPU, "
        "G.8X 8 DPU, G.025X a quarter DPU. Billed per DPU-hour.",
    )
    number_of_workers: int = Field(
        default=2, ge=2, le=1000, description="Workers for the run (2 at least)."
    )
    aws_conn_id: AwsConnectionRef = Field(
        default="aws_default",
        description="AWS connection granted to the tenant: the account, region and credentials "
        "that start and watch the Glue job run.",
    )
    region_name: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}(-[a-z]+)+-\d$",
        description="AWS region of the Glue job; the connection's when empty.",
    )
    waiter_delay: int = Field(
        default=30, ge=1, le=600, description="Seconds between checks of the running job."
    )
    waiter_max_attempts: int = Field(
        default=240,
        ge=1,
        le=10_000,
        description="Checks before giving up and stopping the run (240 at 30 s: two hours).",
    )


class GlueTransformOperator(AirloomOperator):
    """Run a Spark SQL query or a registered PySpark job over lake datasets as an AWS Glue job
    run, into a new dataset.

    The task starts the run and defers to the Amazon provider's ``GlueJobCompleteTrigger``; it
    resumes in :meth:`resume_after_glue_job`, which publishes the output or fails with the run's
    id, state and Glue's error message, and reports the run's DPU-hours as ``aws_usage``. The
    SQL is checked against the input views before the run starts, and again by the job itself.

    :param sql: Spark SQL query over the input views.
    :param job: registered job name, see :data:`airloom.spark.jobs.JOBS`.
    :param job_params: the job's parameters.
    :param output_dataset: lake dataset to write.
    :param mode: ``overwrite`` (default) or ``append``.
    :param partition_by: output partition columns.
    :param job_name: the Glue job running Airloom's entry point.
    :param worker_type: Glue worker type.
    :param number_of_workers: workers per run.
    :param aws_conn_id: AWS connection granted to the tenant.
    :param region_name: AWS region (the connection's when None).
    :param waiter_delay: seconds between the trigger's checks.
    :param waiter_max_attempts: checks before the wait gives up.
    :param lake_conn_id: lake connection.
    """

    node_type = "glue_job"
    category = "transform"
    description = (
        "Transforms lake datasets with Spark on AWS Glue: a read-only SQL query over the "
        "connected tables (each one a view named after its dataset, and nothing else) or a "
        "registered PySpark job, run by the Glue job an admin set up for Airloom, into a new "
        "Parquet dataset swapped in only when complete. Nothing waits on a worker while Glue "
        "runs; the run's DPU-hours are recorded as its cost. Needs a granted AWS connection."
    )
    params_model = GlueJobParams
    input_ports = (Port("tables", PortType.TABLE, "Input datasets, one view each.", many=True),)
    output_ports = (Port("table", PortType.TABLE, "The dataset written."),)
    ui_color = "#fde8c8"

    dataset_params = ("output_dataset",)
    _glue_run: tuple[GlueTarget, str] | None = None  # (target, run id) until the task defers

    def run(self, params: GlueJobParams, inputs: Mapping[str, Any], context: Context) -> NoReturn:
        from airloom.spark.glue import (
            check_job_takes_requests,
            job_completed_trigger,
            start_job_run,
            wait_timeout,
        )

        label = f"node {self.task_id!r}"
        request = transform_request(params, inputs, label)
        target = glue_target(params)
        check_job_takes_requests(target, label)
        job_run_id = start_job_run(target, request)
        self._glue_run = (target, job_run_id)  # until the task defers, on_kill stops it
        # The resumed task reads it back (the trigger's failure event may not carry it).
        context["ti"].xcom_push(key=GLUE_JOB_RUN_KEY, value=job_run_id)
        self.log.info(
            "Glue job %s run %s started; waiting in the triggerer", params.job_name, job_run_id
        )
        self.defer(
            trigger=job_completed_trigger(target, job_run_id),
            method_name="resume_after_glue_job",
            timeout=wait_timeout(target),
        )

    def resume_after_glue_job(
        self, context: Context, event: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The wait ended: record the run's DPU-hours, then publish the output or fail with
        the run's id, state and error message."""
        from airloom.aws_ai.usage import Usage
        from airloom.spark.glue import check_succeeded, dpu_hours, get_job_run

        def step() -> dict[str, Any]:
            params = self.params_model.model_validate(self.node_params)
            target = glue_target(params)
            ti = context["ti"]
            job_run_id = ti.xcom_pull(
                task_ids=self.task_id, key=GLUE_JOB_RUN_KEY, map_indexes=ti.map_index
            )
            job_run = get_job_run(target, job_run_id)
            usage = Usage("glue", "job_run", "DPU-hour")
            usage.called(dpu_hours(job_run, target))
            usage.report(context, self.node_type)  # a failed run is billed too
            check_succeeded(target, job_run, event, f"node {self.task_id!r}")
            self.log.info("Glue job run %s succeeded (%.4f DPU-hours)", job_run_id, usage.units)
            return {
                "table": table_uri(params.output_dataset, params.lake_conn_id),
                "job_run_id": job_run_id,
                "usage": [usage.as_dict()],
            }

        return self.run_step(step, context)

    def on_kill(self) -> None:
        if self._glue_run is not None:
            from airloom.spark.glue import stop

            target, job_run_id = self._glue_run
            self.log.info("Stopping Glue job run %s", job_run_id)
            stop(target, job_run_id)


def glue_target(params: GlueJobParams) -> GlueTarget:
    """Where and how the node's runs go, from its params."""
    from airloom.spark.glue import GlueTarget

    return GlueTarget(
        job_name=params.job_name,
        worker_type=params.worker_type,
        number_of_workers=params.number_of_workers,
        aws_conn_id=params.aws_conn_id,
        region_name=params.region_name,
        waiter_delay=params.waiter_delay,
        waiter_max_attempts=params.waiter_max_attempts,
    )
