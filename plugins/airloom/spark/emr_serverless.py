"""Run a Spark transformation on EMR Serverless through the Amazon provider.

The Spark connection's extra chooses this (``"deploy_mode": "emr-serverless"``) and says where:
``application_id``, ``execution_role_arn``, ``job_script_s3_uri`` (this package's
``entrypoint.py``), and optionally ``py_files_s3_uri`` (the ``airloom`` package as a zip),
``aws_conn_id``, ``region_name``, ``spark_submit_parameters``, ``log_uri``, ``waiter_delay``,
``waiter_max_attempts``. The job is the same :class:`~airloom.spark.transform.TransformRequest`
the local path runs, passed as entry point arguments.

Nothing here holds a worker while EMR works: the task starts the application (if stopped) and
the job run, and waits in Airflow's triggerer with the Amazon provider's triggers
(:func:`application_started_trigger`, :func:`job_completed_trigger`); ``waiter_delay`` and
``waiter_max_attempts`` set how often and how long they poll. When a wait ends, the task
resumes and :func:`check_application_started` / :func:`check_job_succeeded` judge the outcome.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.providers.amazon.aws.hooks.emr import EmrServerlessHook
    from airflow.triggers.base import BaseTrigger

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


def start_application(target: EmrServerlessTarget) -> bool:
    """Start the application if it is stopped; True when it was, and is now starting.

    A created or started application takes jobs as it is (a created one starts with its first).
    """
    from airflow.providers.amazon.aws.hooks.emr import EmrServerlessHook

    hook = target.hook()
    application = hook.conn.get_application(applicationId=target.application_id)["application"]
    if application["state"] in EmrServerlessHook.APPLICATION_SUCCESS_STATES:
        return False
    hook.conn.start_application(applicationId=target.application_id)
    return True


def start_job_run(target: EmrServerlessTarget, args: Mapping[str, Any]) -> str:
    """Submit the job run (``args`` from :func:`start_job_run_args`); return its id."""
    return target.hook().conn.start_job_run(**args)["jobRunId"]


def wait_timeout(target: EmrServerlessTarget) -> timedelta:
    """How long a deferred wait may last: the trigger's own attempts, and a margin, so the
    trigger reports running out first and the task can cancel what is still running."""
    return timedelta(seconds=target.waiter_delay * (target.waiter_max_attempts + 2) + 60)


def application_started_trigger(target: EmrServerlessTarget) -> BaseTrigger:
    """The provider's trigger that waits, in the triggerer, until the application starts."""
    from airflow.providers.amazon.aws.triggers.emr import EmrServerlessStartApplicationTrigger

    return EmrServerlessStartApplicationTrigger(
        application_id=target.application_id,
        waiter_delay=target.waiter_delay,
        waiter_max_attempts=target.waiter_max_attempts,
        aws_conn_id=target.aws_conn_id,
        region_name=target.region_name,
    )


def job_completed_trigger(target: EmrServerlessTarget, job_run_id: str) -> BaseTrigger:
    """The provider's trigger that waits, in the triggerer, until the job run ends; it cancels
    the run when the task is killed meanwhile."""
    from airflow.providers.amazon.aws.triggers.emr import EmrServerlessStartJobTrigger

    return EmrServerlessStartJobTrigger(
        application_id=target.application_id,
        job_id=job_run_id,
        waiter_delay=target.waiter_delay,
        waiter_max_attempts=target.waiter_max_attempts,
        aws_conn_id=target.aws_conn_id,
        region_name=target.region_name,
        cancel_on_kill=True,
    )


class EmrServerlessJobError(RuntimeError):
    """The application did not start, or the job run did not succeed."""


def check_application_started(
    target: EmrServerlessTarget, event: Mapping[str, Any] | None, label: str
) -> None:
    """Whether the application-start wait ended well; if not, say where it stands and why.

    As for a job run, the application's own state decides when the wait itself failed.
    """
    from airflow.providers.amazon.aws.hooks.emr import EmrServerlessHook

    if event and event.get("status") == "success":
        return
    application = target.hook().conn.get_application(applicationId=target.application_id)
    state = application["application"]["state"]
    if state in EmrServerlessHook.APPLICATION_SUCCESS_STATES:
        return
    details = application["application"].get("stateDetails") or "no details given"
    message = (event or {}).get("message", "no event from the trigger")
    raise EmrServerlessJobError(
        f"{label}: EMR Serverless application {target.application_id} did not start: it is "
        f"{state} ({details}); the wait ended with: {message}"
    )


def check_job_succeeded(
    target: EmrServerlessTarget, job_run_id: str, event: Mapping[str, Any] | None, label: str
) -> None:
    """Whether the job run succeeded; if not, fail with its id, state and state details.

    The job run's own state decides, not only the trigger's event: a wait that gave up (its
    attempts ran out, or AWS could not be reached) on a run still going cancels that run.
    """
    from airflow.providers.amazon.aws.hooks.emr import EmrServerlessHook

    if event and event.get("status") == "success":
        return
    job_run = target.hook().conn.get_job_run(
        applicationId=target.application_id, jobRunId=job_run_id
    )["jobRun"]
    state = job_run["state"]
    if state in EmrServerlessHook.JOB_SUCCESS_STATES:
        return
    details = job_run.get("stateDetails") or "no details given"
    where = f"{label}: EMR Serverless job run {job_run_id} on application {target.application_id}"
    if state in EmrServerlessHook.JOB_TERMINAL_STATES:
        raise EmrServerlessJobError(f"{where} ended {state}: {details}")
    cancel(target, job_run_id)
    message = (event or {}).get("message", "no event from the trigger")
    raise EmrServerlessJobError(
        f"{where} was still {state} ({details}) when the wait ended ({message}); it was cancelled"
    )


def cancel(target: EmrServerlessTarget, job_run_id: str) -> None:
    target.hook().conn.cancel_job_run(applicationId=target.application_id, jobRunId=job_run_id)
