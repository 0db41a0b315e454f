"""The ``spark_stream`` node's streaming job as AWS Glue streaming job runs.

Beside :mod:`airloom.spark.glue` (the ``glue_job`` node's Glue runs, whose waiting, judging
and billing this reuses through :class:`~airloom.spark.glue.GlueTarget`), this creates or
updates the node's own Glue job with the Amazon provider's
:class:`~airflow.providers.amazon.aws.hooks.glue.GlueJobHook` (``gluestreaming``, the tenant's
role, Airloom's :mod:`~airloom.spark.glue_stream_entrypoint`), starts a run with the
:class:`~airloom.spark.glue_stream_entrypoint.StreamRequest`, and reads what the run did.

How the job reaches Kafka: on Amazon MSK with IAM auth (``msk_iam``) only the bootstrap
address travels, and the job authenticates as its role through the MSK IAM library's SASL
mechanism; otherwise the platform connection's plain client settings travel (TLS, a
bootstrap address), never a secret: job arguments are readable by whoever reads the job run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airloom.spark.glue import GlueJobError, GlueTarget
from airloom.spark.glue_stream_entrypoint import STREAM_ARGUMENT, StreamRequest
from airloom.workflow.serverless.glue_streaming import COMMAND_NAME, GlueStreamingTask

if TYPE_CHECKING:
    from airflow.providers.amazon.aws.hooks.glue import GlueJobHook

# The MSK IAM library's SASL mechanism, as its README gives it for Kafka's Java clients.
MSK_IAM_OPTIONS = {
    "kafka.security.protocol": "SASL_SSL",
    "kafka.sasl.mechanism": "AWS_MSK_IAM",
    "kafka.sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
    "kafka.sasl.client.callback.handler.class": (
        "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
    ),
}
# librdkafka settings whose values are callables, or secrets: neither travels to Glue.
CALLBACK_SETTINGS = frozenset(
    {"error_cb", "throttle_cb", "stats_cb", "log_cb", "oauth_cb", "on_commit"}
)
_SECRET_SETTING = re.compile(r"password|secret|jaas|key\.pem|keystore|token", re.IGNORECASE)
DESCRIPTION = "Airloom spark_stream node run as a Glue streaming job (created by its task)"


def kafka_options(
    extra: Mapping[str, Any], auth: str, *, conn_id: str, label: str
) -> dict[str, str]:
    """The Kafka reader's ``kafka.*`` options the Glue job gets from the platform's Kafka
    connection extra ``extra``."""
    servers = str(extra.get("bootstrap.servers") or "")
    if not servers:
        raise ValueError(f"{label}: Kafka connection {conn_id!r} has no bootstrap.servers")
    if auth == "msk_iam":
        return {"kafka.bootstrap.servers": servers, **MSK_IAM_OPTIONS}
    refused = sorted(
        key for key in extra if key in CALLBACK_SETTINGS or _SECRET_SETTING.search(key)
    )
    if refused:
        raise GlueJobError(
            f"{label}: Kafka connection {conn_id!r} sets {refused}, which cannot travel to a "
            "Glue job as arguments (callbacks, or secrets anyone reading the job run would "
            "see); on AWS use Amazon MSK with IAM auth (the deployment's kafka_is_msk)",
            retryable=False,
        )
    return {f"kafka.{key}": str(value) for key, value in extra.items()}


def glue_target(task: GlueStreamingTask) -> GlueTarget:
    """The node's job as the ``glue_job`` machinery waits for, judges and bills its runs."""
    return GlueTarget(
        job_name=task.job_name,
        worker_type=task.worker_type,
        number_of_workers=task.number_of_workers,
        aws_conn_id=task.aws_conn_id,
        region_name=task.region_name,
        waiter_delay=task.waiter_delay,
        waiter_max_attempts=task.waiter_max_attempts,
    )


def job_hook(task: GlueStreamingTask) -> GlueJobHook:
    """The provider's hook, configured to create or update the node's streaming job."""
    from airflow.providers.amazon.aws.hooks.glue import GlueJobHook

    from airloom.aws_ai.clients import retry_config

    arguments = {"--job-language": "python"}
    if task.python_files:
        arguments["--extra-py-files"] = task.python_files
    create_job_kwargs: dict[str, Any] = {
        "Command": {
            "Name": COMMAND_NAME,
            "ScriptLocation": task.script_location,
            "PythonVersion": "3",
        },
        "GlueVersion": task.glue_version,
        "WorkerType": task.worker_type,
        "NumberOfWorkers": task.number_of_workers,
        "DefaultArguments": arguments,
    }
    if task.network_connection:
        create_job_kwargs["Connections"] = {"Connections": [task.network_connection]}
    return GlueJobHook(
        job_name=task.job_name,
        desc=DESCRIPTION,
        iam_role_arn=task.role_arn,
        script_location=task.script_location,
        concurrent_run_limit=1,  # one run of a stream at a time: one checkpoint, one writer
        retry_limit=0,  # Airflow's retries decide; a rerun continues from the checkpoint
        create_job_kwargs=create_job_kwargs,
        aws_conn_id=task.aws_conn_id,
        region_name=task.region_name,
        config=retry_config(),
    )


def start_stream_run(task: GlueStreamingTask, request: StreamRequest) -> str:
    """Create or update the node's job as the task's document says, then start a run of it
    with ``request``; return the run's id."""
    hook = job_hook(task)
    hook.create_or_update_glue_job()
    response = hook.conn.start_job_run(
        JobName=task.job_name,
        Arguments={STREAM_ARGUMENT: request.to_argument()},
        WorkerType=task.worker_type,
        NumberOfWorkers=task.number_of_workers,
    )
    return response["JobRunId"]


def read_result(location: Any, label: str) -> dict[str, int]:
    """What a succeeded run wrote about itself (rows, batches, malformed)."""
    try:
        document = json.loads(location.read_text())
    except FileNotFoundError:
        raise GlueJobError(
            f"{label}: the Glue run succeeded but left no result at {location}", retryable=False
        ) from None
    return {key: int(document[key]) for key in ("rows", "batches", "malformed")}
