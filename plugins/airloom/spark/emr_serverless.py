"""Run a Spark transformation on EMR Serverless through the Amazon provider.

The Spark connection's extra chooses this (``"deploy_mode": "emr-serverless"``) and says where:
``application_id``, ``execution_role_arn``, ``job_script_s3_uri`` (this package's
``entrypoint.py``), and optionally ``py_files_s3_uri`` (the ``airloom`` package as a zip),
``aws_conn_id``, ``region_name``, ``spark_submit_parameters``, ``log_uri``, ``waiter_delay``,
``waiter_max_attempts``. The job is the same :class:`~airloom.spark.transform.TransformRequest`
the local path runs, passed as entry point arguments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.providers.amazon.aws.hooks.emr import EmrServerlessHook

    from airloom.spark.transform import TransformRequest

REQUIRED_EXTRAS = ("application_id", "execution_role_arn", "job_script_s3_uri")


@dataclass(frozen=True)
class EmrServerlessTarget:
    application_id: str
    execution_role_arn: str
    job_script_s3_uri: str
    py_files_s3_uri: str | None = None
    aws_conn_id: str = "aws_default"
    region_name: str | None = None
    spark_submit_parameters: str = ""
    log_uri: str | None = None
    waiter_delay: int = 30
    waiter_max_attempts: int = 240  # two hours at the default delay

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any], conn_id: str) -> EmrServerlessTarget:
        missing = [key for key in REQUIRED_EXTRAS if not extra.get(key)]
        if missing:
            raise ValueError(
                f"Spark connection {conn_id!r} deploys to EMR Serverless but its extra lacks "
                f"{', '.join(missing)}"
            )
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in extra.items() if key in known})

    def hook(self) -> EmrServerlessHook:
        from airflow.providers.amazon.aws.hooks.emr import EmrServerlessHook

        return EmrServerlessHook(aws_conn_id=self.aws_conn_id, region_name=self.region_name)


def client_token(*parts: object) -> str:
    """A StartJobRun idempotency token: a retried submission of one task try starts one job."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:64]


def start_job_run_args(
    target: EmrServerlessTarget, request: TransformRequest, token: str
) -> dict[str, Any]:
    """The boto3 ``start_job_run`` arguments that run ``request`` with Airloom's entry point."""
    submit_parameters = target.spark_submit_parameters.strip()
    if target.py_files_s3_uri:
        submit_parameters = f"{submit_parameters} --py-files {target.py_files_s3_uri}".strip()
    spark_submit: dict[str, Any] = {
        "entryPoint": target.job_script_s3_uri,
        "entryPointArguments": request.to_args(),
    }
    if submit_parameters:
        spark_submit["sparkSubmitParameters"] = submit_parameters
    args: dict[str, Any] = {
        "clientToken": token,
        "applicationId": target.application_id,
        "executionRoleArn": target.execution_role_arn,
        "jobDriver": {"sparkSubmit": spark_submit},
        "name": f"airloom {request.label}"[:256],
    }
    if target.log_uri:
        args["configurationOverrides"] = {
            "monitoringConfiguration": {"s3MonitoringConfiguration": {"logUri": target.log_uri}}
        }
    return args


def submit_and_wait(
    target: EmrServerlessTarget,
    request: TransformRequest,
    token: str,
    on_started: Callable[[str], None] | None = None,
) -> str:
    """Start the job (and its application if stopped), wait until it succeeds; return its id.

    :raises airflow.sdk.exceptions.AirflowException: when the job fails or is cancelled.
    """
    from airflow.providers.amazon.aws.hooks.emr import EmrServerlessHook
    from airflow.providers.amazon.aws.utils.waiter_with_logging import wait

    hook = target.hook()
    application = hook.conn.get_application(applicationId=target.application_id)["application"]
    if application["state"] not in EmrServerlessHook.APPLICATION_SUCCESS_STATES:
        hook.conn.start_application(applicationId=target.application_id)
        wait(
            waiter=hook.get_waiter("serverless_app_started"),
            waiter_delay=target.waiter_delay,
            waiter_max_attempts=target.waiter_max_attempts,
            args={"applicationId": target.application_id},
            failure_message=f"EMR Serverless application {target.application_id} did not start",
            status_message="EMR Serverless application state is",
            status_args=["application.state", "application.stateDetails"],
        )
    response = hook.conn.start_job_run(**start_job_run_args(target, request, token))
    job_run_id = response["jobRunId"]
    if on_started is not None:
        on_started(job_run_id)  # lets the operator cancel the run if the task is killed
    wait(
        waiter=hook.get_waiter("serverless_job_completed"),
        waiter_delay=target.waiter_delay,
        waiter_max_attempts=target.waiter_max_attempts,
        args={"applicationId": target.application_id, "jobRunId": job_run_id},
        failure_message=f"{request.label}: EMR Serverless job run {job_run_id} failed",
        status_message="EMR Serverless job run state is",
        status_args=["jobRun.state", "jobRun.stateDetails"],
    )
    return job_run_id


def cancel(target: EmrServerlessTarget, job_run_id: str) -> None:
    target.hook().conn.cancel_job_run(applicationId=target.application_id, jobRunId=job_run_id)
