"""Spark transformations: a SQL query or a registered PySpark job over lake datasets.

Locally the job runs in this process on ``local[*]``; when the Spark connection says
``"deploy_mode": "emr-serverless"`` the same request goes to EMR Serverless through the Amazon
provider, and the task defers while EMR works (the provider's triggers wait in the triggerer,
not in a worker slot). Heavy imports (pyspark, boto3) happen inside :meth:`run`, so DAG files
parse fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from airflow.sdk import Context
from pydantic import Field, ValidationInfo, field_validator, model_validator

from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.params import at_parse, field_problems
from airloom.catalog.resources import (
    DatasetRef,
    PlatformConnection,
)
from airloom.connections import LAKE_CONN_ID
from airloom.lake import check_dataset_name, dataset_path
from airloom.operators.base import AirloomOperator
from airloom.spark.jobs import JOBS
from airloom.spark.output import spark_uri

if TYPE_CHECKING:
    from airloom.spark.transform import TransformRequest

# The EMR Serverless job run a deferred task waits for, in its XCom.
EMR_JOB_RUN_KEY = "emr_job_run_id"

SPARK_CONN_ID = "airloom_spark"  # same as airloom.spark.session.SPARK_CONN_ID, without pyspark

JobName = Literal[tuple(JOBS)]  # type: ignore[valid-type]


def table_uri(reference: Any, lake_conn_id: str = LAKE_CONN_ID) -> str:
    """A table reference as a URI Spark reads: a URI as is, a bare dataset name in the lake."""
    text = str(reference).strip()
    if "://" in text:
        return spark_uri(text)
    return spark_uri(dataset_path(text, lake_conn_id))


def as_list(references: Any) -> list[Any]:
    if references in (None, ""):
        return []
    if isinstance(references, str) or not isinstance(references, Sequence):
        return [references]
    return list(references)


class SparkQueryParams(NodeParams):
    """What a Spark transformation computes, wherever it runs (local, EMR Serverless, Glue)."""

    sql: str | None = Field(
        default=None,
        description="One Spark SQL query over the inputs; each input is a view named after its "
        "dataset's last path segment (e.g. `SELECT … FROM daily_sales`). It reads only those "
        "views (and its own WITH clauses): no other tables, no files by path, no commands, no "
        "scripts, no Java-calling functions such as reflect. Exclusive with job.",
        json_schema_extra={"format": "sql"},
    )
    job: JobName | None = Field(  # type: ignore[valid-type]
        default=None,
        description="A registered PySpark job to run instead of SQL: "
        + "; ".join(f"{name}: {about}" for name, about in JOBS.items()),
    )
    job_params: dict[str, Any] = Field(
        default_factory=dict, description="Parameters for the job (only with job)."
    )
    output_dataset: DatasetRef = Field(
        description="Lake dataset to write, e.g. 'retail/churn_features'.", min_length=1
    )
    mode: Literal["overwrite", "append"] = Field(
        default="overwrite",
        description="overwrite replaces the dataset (a rerun replaces its own output); append "
        "adds this run's files.",
    )
    partition_by: list[str] = Field(
        default_factory=list, description="Columns that become partition folders."
    )
    lake_conn_id: PlatformConnection = Field(default=LAKE_CONN_ID, description="Lake connection.")

    @field_validator("output_dataset")
    @classmethod
    def _dataset_name(cls, value: str) -> str:
        return check_dataset_name(value)

    @field_validator("sql")
    @classmethod
    def _one_read_only_query(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip() or at_parse(info):
            return value  # _sql_xor_job says what is missing; at parse: checked before it runs
        from airloom.user_sql import spark_query_problem

        # The input views are known only at run time, where the check runs again with them.
        problem = spark_query_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _sql_xor_job(self) -> SparkQueryParams:
        if self.sql is None and self.job is None:
            raise field_problems({"sql": "set exactly one of sql or job"})
        if self.sql is not None and self.job is not None:
            raise field_problems({"job": "set exactly one of sql or job: this node has sql"})
        if self.sql is not None and not self.sql.strip():
            raise field_problems({"sql": "sql is empty"})
        if self.job_params and self.job is None:
            raise field_problems({"job_params": "job_params only apply with job"})
        return self


class SparkTransformParams(SparkQueryParams):
    spark_conn_id: PlatformConnection = Field(
        default=SPARK_CONN_ID,
        description="Spark connection: local master, or EMR Serverless settings in its extra.",
    )


def transform_request(
    params: SparkQueryParams, inputs: Mapping[str, Any], label: str
) -> TransformRequest:
    """The :class:`~airloom.spark.transform.TransformRequest` a node's params and inputs ask
    for, wherever it runs: each input a view named after its dataset, the SQL checked against
    those views before any Spark work.

    :param label: who asks, for error messages (e.g. ``node 'features'``).
    :raises airloom.spark.transform.SparkTransformError: two inputs share a view name, or the
        SQL reaches beyond its views.
    """
    from airloom.spark.transform import SparkTransformError, TransformRequest, view_name

    named: dict[str, str] = {}
    for reference in as_list(inputs.get("tables")):
        uri = table_uri(reference, params.lake_conn_id)
        name = view_name(uri)
        if name in named:
            raise SparkTransformError(
                f"{label}: two inputs are both named {name!r} ({named[name]} and {uri}); "
                "each input dataset needs a distinct last path segment"
            )
        named[name] = uri
    if params.sql is not None:
        from airloom.user_sql import spark_query_problem

        # Before any Spark work, local or on AWS: only now are the input views known.
        problem = spark_query_problem(params.sql, views=named)
        if problem:
            raise SparkTransformError(f"{label}: the SQL statement {problem}:\n    {params.sql}")
    return TransformRequest(
        output_uri=table_uri(params.output_dataset, params.lake_conn_id),
        inputs=named,
        sql=params.sql,
        job=params.job,
        job_params=params.job_params,
        mode=params.mode,
        partition_by=tuple(params.partition_by),
        label=label,
    )


class SparkTransformOperator(AirloomOperator):
    """Run a Spark SQL query or a registered PySpark job over lake datasets into a new dataset.

    The output is written to a staging folder and swapped in only when complete, so a failed
    run leaves the previous output untouched and a rerun replaces it. A bad SQL statement fails
    the task with the statement and Spark's explanation, and writes nothing.

    SQL must be one read-only query over the input views (see :mod:`airloom.user_sql`): it is
    checked when the design is validated, and again with the input views' names before it is
    sent to Spark, locally or on EMR; the session that runs it reads no files by path, expands
    no ``${…}`` and offers no Java-calling functions (:mod:`airloom.spark.sql_guard`).

    :param sql: Spark SQL query over the input views.
    :param job: registered job name, see :data:`airloom.spark.jobs.JOBS`.
    :param job_params: the job's parameters.
    :param output_dataset: lake dataset to write.
    :param mode: ``overwrite`` (default) or ``append``.
    :param partition_by: output partition columns.
    :param spark_conn_id: Spark connection (``local[*]`` when absent; EMR Serverless by extra).
    :param lake_conn_id: lake connection.
    """

    node_type = "spark_transform"
    category = "transform"
    description = (
        "Transforms lake datasets with Spark: a read-only SQL query over the connected tables "
        "(each one a view named after its dataset, and nothing else) or a registered PySpark "
        "job such as churn_features, "
        "into a new Parquet dataset that is swapped in only when complete. Runs on local Spark, "
        "or on EMR Serverless when the Spark connection says so."
    )
    params_model = SparkTransformParams
    input_ports = (Port("tables", PortType.TABLE, "Input datasets, one view each.", many=True),)
    output_ports = (Port("table", PortType.TABLE, "The dataset written."),)
    ui_color = "#fde8c8"

    dataset_params = ("output_dataset",)
    _emr_run: tuple[Any, str] | None = None  # (target, job run id) while one runs on EMR
    _application_event: dict[str, Any] | None = None  # the application-start wait's outcome

    def run(
        self, params: SparkTransformParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.spark.session import spark_session, spark_target

        request = transform_request(params, inputs, f"node {self.task_id!r}")
        target = spark_target(params.spark_conn_id)
        if target.emr_serverless:
            # Defers: the task resumes in resume_after_emr_job once the run has ended.
            self._run_on_emr_serverless(target.extra, params.spark_conn_id, request, context)
        else:
            from airloom.spark.transform import run_transform

            spark = spark_session(
                f"airloom {self.dag_id}.{self.task_id}", conn_id=params.spark_conn_id
            )
            run_transform(spark, request)
        return {"table": request.output_uri}

    def _run_on_emr_serverless(
        self, extra: Mapping[str, Any], conn_id: str, request: Any, context: Context
    ) -> NoReturn:
        """Start the application if stopped and defer until it runs, then start the job run and
        defer until it ends: the waits happen in the triggerer, not in a worker slot."""
        from airloom.spark.emr_serverless import (
            EmrServerlessTarget,
            application_started_trigger,
            check_application_started,
            client_token,
            job_completed_trigger,
            start_application,
            start_job_run,
            start_job_run_args,
            wait_timeout,
        )

        target = EmrServerlessTarget.from_extra(extra, conn_id)
        if self._application_event is not None:  # back from the application-start wait
            check_application_started(target, self._application_event, request.label)
        if start_application(target):
            self.log.info("Starting EMR Serverless application %s", target.application_id)
            self.defer(
                trigger=application_started_trigger(target),
                method_name="resume_after_emr_application",
                timeout=wait_timeout(target),
            )
        ti = context["ti"]
        token = client_token(ti.dag_id, ti.task_id, ti.run_id, ti.map_index, ti.try_number)
        job_run_id = start_job_run(target, start_job_run_args(target, request, token))
        self._emr_run = (target, job_run_id)  # until the task defers, on_kill cancels it
        # The resumed task reads it back (the trigger's failure event does not carry it).
        ti.xcom_push(key=EMR_JOB_RUN_KEY, value=job_run_id)
        self.log.info("EMR Serverless job run %s started; waiting in the triggerer", job_run_id)
        self.defer(
            trigger=job_completed_trigger(target, job_run_id),
            method_name="resume_after_emr_job",
            timeout=wait_timeout(target),
        )

    def resume_after_emr_application(
        self, context: Context, event: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The application-start wait ended: run the node again, which now checks the event
        (failing if the application did not start) and submits the job run."""
        self._application_event = event or {"status": "no event"}
        return self.execute(context)

    def resume_after_emr_job(
        self, context: Context, event: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The job-run wait ended: publish the output, or fail with the run's state."""
        from airloom.spark.emr_serverless import EmrServerlessTarget, check_job_succeeded
        from airloom.spark.session import spark_target

        def step() -> dict[str, Any]:
            params = self.params_model.model_validate(self.node_params)
            target = EmrServerlessTarget.from_extra(
                spark_target(params.spark_conn_id).extra, params.spark_conn_id
            )
            ti = context["ti"]
            job_run_id = ti.xcom_pull(
                task_ids=self.task_id, key=EMR_JOB_RUN_KEY, map_indexes=ti.map_index
            )
            check_job_succeeded(target, job_run_id, event, f"node {self.task_id!r}")
            self.log.info("EMR Serverless job run %s succeeded", job_run_id)
            return {"table": table_uri(params.output_dataset, params.lake_conn_id)}

        return self.run_step(step, context)

    def on_kill(self) -> None:
        # While the task is deferred, the provider's trigger cancels the run (cancel_on_kill).
        if self._emr_run is not None:
            from airloom.spark.emr_serverless import cancel

            target, job_run_id = self._emr_run
            self.log.info("Cancelling EMR Serverless job run %s", job_run_id)
            cancel(target, job_run_id)
