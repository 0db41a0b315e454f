"""The ``spark_stream`` node on MWAA Serverless: its streaming job as an AWS Glue streaming run.

The compiler writes a ``spark_stream`` node as a task of :class:`GlueStreamingOperator` when the
deployment declares Glue streaming (:mod:`.glue_streaming`). It is the node's own operator with
one difference: where the local node runs Spark in its worker, this one creates or updates the
node's Glue job under the tenant's Glue role, starts one bounded run of the same streaming job,
defers to the Amazon provider's ``GlueJobCompleteTrigger`` as the ``glue_job`` node does, and
then publishes the same outputs as the local node (``table``, ``rows``, ``malformed``) with the
run's id and DPU-hours. Names are placed by the tenant scope as for the local node (topic
``<tenant>.<topic>``, dataset ``tenants/<tenant>/…``); the checkpoint and the run's result lie
in the tenant's lake area too, so the tenant's role is all the job needs.

It lives outside ``airloom.operators`` on purpose: it is no node type of its own, so the
catalog keeps one ``spark_stream``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from airflow.sdk import Context

from airloom.operators.spark_stream import SparkKafkaStreamOperator, SparkKafkaStreamParams
from airloom.workflow.serverless.glue_streaming import GlueStreamingTask

GLUE_STREAM_RUN_KEY = "glue_job_run_id"  # the run a deferred task waits for, as glue_job's
CHECKPOINTS = "_checkpoints"  # in the tenant's area: dataset names never start with "_"
RESULTS = "_stream_runs"


class GlueStreamingOperator(SparkKafkaStreamOperator):
    """A ``spark_stream`` node whose run is an AWS Glue streaming job run.

    :param glue_streaming: the document the compiler wrote from the deployment's settings
        (:meth:`~airloom.workflow.serverless.glue_streaming.GlueStreaming.task_document`).
    """

    _glue_run: tuple[Any, str] | None = None  # (target, run id) until the task defers

    def __init__(self, *, glue_streaming: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.glue_streaming = GlueStreamingTask.from_document(glue_streaming)
        if self.tenant_scope is None:
            raise ValueError(f"node {self.task_id!r}: a Glue streaming run needs a tenant scope")

    def run(
        self, params: SparkKafkaStreamParams, inputs: Mapping[str, Any], context: Context
    ) -> NoReturn:
        from airloom.spark.glue import job_completed_trigger, wait_timeout
        from airloom.spark.glue_streaming import glue_target, start_stream_run

        task = self.glue_streaming
        request = self._request(params)
        job_run_id = start_stream_run(task, request)
        target = glue_target(task)
        self._glue_run = (target, job_run_id)  # until the task defers, on_kill stops it
        context["ti"].xcom_push(key=GLUE_STREAM_RUN_KEY, value=job_run_id)
        self.log.info(
            "Glue streaming job %s run %s started under %s; waiting in the triggerer",
            task.job_name,
            job_run_id,
            task.role_arn,
        )
        self.defer(
            trigger=job_completed_trigger(target, job_run_id),
            method_name="resume_after_glue_stream",
            timeout=wait_timeout(target),
        )

    def resume_after_glue_stream(
        self, context: Context, event: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The run ended: bill it, then publish the local node's outputs or fail with the
        run's id, state and Glue's error message."""
        from airloom.aws_ai.usage import Usage
        from airloom.spark.glue import check_succeeded, dpu_hours, get_job_run
        from airloom.spark.glue_streaming import glue_target, read_result

        def step() -> dict[str, Any]:
            params = self.params_model.model_validate(self.node_params)
            target = glue_target(self.glue_streaming)
            ti = context["ti"]
            job_run_id = ti.xcom_pull(
                task_ids=self.task_id, key=GLUE_STREAM_RUN_KEY, map_indexes=ti.map_index
            )
            job_run = get_job_run(target, job_run_id)
            usage = Usage("glue", "streaming_job_run", "DPU-hour")
            usage.called(dpu_hours(job_run, target))
            usage.report(context, self.node_type)  # a failed run is billed too
            label = f"node {self.task_id!r}"
            check_succeeded(target, job_run, event, label)
            result_file = self._area(params) / RESULTS / target.job_name / f"{job_run_id}.json"
            result = read_result(result_file, label)
            output_uri = self._output_uri(params)
            self.log.info(
                "%s: Glue run %s appended %d records in %d batches to %s (%d malformed dropped)",
                label,
                job_run_id,
                result["rows"],
                result["batches"],
                output_uri,
                result["malformed"],
            )
            return {
                "table": output_uri,
                "rows": result["rows"],
                "malformed": result["malformed"],
                "job_run_id": job_run_id,
                "usage": [usage.as_dict()],
            }

        return self.run_step(step, context)

    def on_kill(self) -> None:
        if self._glue_run is not None:
            from airloom.spark.glue import stop

            target, job_run_id = self._glue_run
            self.log.info("Stopping Glue streaming job run %s", job_run_id)
            stop(target, job_run_id)

    # -- where the run reads and writes: the tenant's topic and lake area only --------------

    def _area(self, params: SparkKafkaStreamParams) -> Any:
        from airloom.lake import lake_root

        return lake_root(params.lake_conn_id) / self.tenant_scope.area

    def _output_uri(self, params: SparkKafkaStreamParams) -> str:
        from airloom.operators.spark import table_uri

        return table_uri(params.output_dataset, params.lake_conn_id)

    def _request(self, params: SparkKafkaStreamParams) -> Any:
        from airloom.hooks.kafka import KafkaHook
        from airloom.spark.glue_stream_entrypoint import StreamRequest
        from airloom.spark.glue_streaming import kafka_options
        from airloom.spark.output import spark_uri

        label = f"node {self.task_id!r}"
        area = self._area(params)
        checkpoint = params.checkpoint or params.output_dataset  # placed: tenants/<t>/<name>
        inside = checkpoint.removeprefix(f"{self.tenant_scope.area}/")
        extra = KafkaHook(params.kafka_conn_id).get_connection(params.kafka_conn_id).extra_dejson
        options: dict[str, str] = {
            "subscribe": params.topic,
            "startingOffsets": params.starting_offsets,
            # The reader's consumer groups in the tenant's namespace, the only groups its Glue
            # role may use on MSK (Spark's own default prefix is "spark-kafka-source").
            "groupIdPrefix": self.tenant_scope.consumer_group("airloom-stream"),
            **kafka_options(
                extra, self.glue_streaming.kafka_auth, conn_id=params.kafka_conn_id, label=label
            ),
        }
        if params.max_offsets_per_trigger:
            options["maxOffsetsPerTrigger"] = str(params.max_offsets_per_trigger)
        return StreamRequest(
            label=label,
            area=spark_uri(area),
            value_schema=params.value_schema,
            output_uri=self._output_uri(params),
            checkpoint_uri=spark_uri(area / CHECKPOINTS / inside),
            result_folder=spark_uri(area / RESULTS / self.glue_streaming.job_name),
            on_malformed=params.on_malformed,
            options=options,
        )
