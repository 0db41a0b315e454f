"""Run a Spark transformation as an AWS Glue job run through the Amazon provider.

An admin creates one Glue Spark job (``glueetl``) whose script is Airloom's
:mod:`airloom.spark.glue_entrypoint`; the ``glue_job`` node names it. Each run carries the very
:class:`~airloom.spark.transform.TransformRequest` local Spark and EMR Serverless run, as one
job argument (:data:`REQUEST_ARGUMENT`), so there is no second code path.

Nothing holds a worker while Glue works: the task starts the job run with the provider's
:class:`~airflow.providers.amazon.aws.hooks.glue.GlueJobHook` and waits in Airflow's triggerer
with the provider's :class:`~airflow.providers.amazon.aws.triggers.glue.GlueJobCompleteTrigger`
(its ``job_complete`` waiter); when the wait ends, :func:`check_succeeded` judges the run by its
own state, and :func:`dpu_hours` says what it cost.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.providers.amazon.aws.hooks.glue import GlueJobHook
    from airflow.triggers.base import BaseTrigger

    from airloom.spark.transform import TransformRequest

# The job argument carrying the request: the entry point's arguments, as a JSON list.
REQUEST_ARGUMENT = "--airloom_request"
# The script a Glue job must run to take Airloom's requests (see the module docstring).
ENTRYPOINT_SCRIPT = "glue_entrypoint.py"
# DPUs per worker (AWS Glue pricing, "Worker type" table): the unit Glue bills by the second.
WORKER_DPUS: dict[str, float] = {"G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8}
MINIMUM_BILLED_SECONDS = 60  # Glue 2.0+ Spark jobs: per second, with a 1-minute minimum
SUCCEEDED = "SUCCEEDED"
ENDED_STATES = frozenset({"STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT", "ERROR", "EXPIRED"})


class GlueJobError(RuntimeError):
    """The Glue job cannot take the request, or its run did not succeed.

    :param retryable: whether another try could succeed (a run stopped or timed out may; a
        job that is not Airloom's, or a statement Spark refused, fails the same way again).
    :param summary: the message on one line, for the builder's view of the node (Glue's
        ErrorMessage often spans several).
    """

    def __init__(self, message: str, *, retryable: bool = True, summary: str | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.summary = summary


@dataclass(frozen=True)
class GlueTarget:
    """The Glue job a node runs on, how big each run is, and how the wait polls."""

    job_name: str
    worker_type: str = "G.1X"
    number_of_workers: int = 2
    aws_conn_id: str = "aws_default"
    region_name: str | None = None
    waiter_delay: int = 30
    waiter_max_attempts: int = 240  # two hours at the default delay

    def hook(self) -> GlueJobHook:
        from airflow.providers.amazon.aws.hooks.glue import GlueJobHook

        from airloom.aws_ai.clients import retry_config

        return GlueJobHook(
            job_name=self.job_name,
            aws_conn_id=self.aws_conn_id,
            region_name=self.region_name,
            config=retry_config(),
        )


def job_arguments(request: TransformRequest) -> dict[str, str]:
    """The run's ``Arguments``: the request as the entry point's own arguments."""
    return {REQUEST_ARGUMENT: json.dumps(request.to_args())}


def check_job_takes_requests(target: GlueTarget, label: str) -> None:
    """The named job exists and runs Airloom's entry point: a tenant's node starts no other
    Glue job of the account, whatever its connection's credentials would allow."""
    hook = target.hook()
    try:
        job = hook.conn.get_job(JobName=target.job_name)["Job"]
    except hook.conn.exceptions.EntityNotFoundException:
        raise GlueJobError(
            f"{label}: there is no Glue job {target.job_name!r}; an admin must create it to "
            f"run Airloom's {ENTRYPOINT_SCRIPT} (see docs/aws_ai_nodes.md)",
            retryable=False,
        ) from None
    command = job.get("Command") or {}
    script = str(command.get("ScriptLocation") or "")
    if command.get("Name") != "glueetl" or posixpath.basename(script) != ENTRYPOINT_SCRIPT:
        raise GlueJobError(
            f"{label}: Glue job {target.job_name!r} is not Airloom's: it must be a Spark job "
            f"(glueetl) running {ENTRYPOINT_SCRIPT}, and it runs {command.get('Name')!r} "
            f"{script or 'no script'}",
            retryable=False,
        )


def start_job_run(target: GlueTarget, request: TransformRequest) -> str:
    """Start a run of the job with ``request`` and the node's workers; return its id."""
    response = target.hook().conn.start_job_run(
        JobName=target.job_name,
        Arguments=job_arguments(request),
        WorkerType=target.worker_type,
        NumberOfWorkers=target.number_of_workers,
    )
    return response["JobRunId"]


def wait_timeout(target: GlueTarget) -> timedelta:
    """How long a deferred wait may last: the trigger's own attempts and a margin, so the
    trigger reports running out first and the task can stop what is still running."""
    return timedelta(seconds=target.waiter_delay * (target.waiter_max_attempts + 2) + 60)


def job_completed_trigger(target: GlueTarget, job_run_id: str) -> BaseTrigger:
    """The provider's trigger that waits, in the triggerer, until the job run ends."""
    from airflow.providers.amazon.aws.triggers.glue import GlueJobCompleteTrigger

    return GlueJobCompleteTrigger(
        job_name=target.job_name,
        run_id=job_run_id,
        waiter_delay=target.waiter_delay,
        waiter_max_attempts=target.waiter_max_attempts,
        aws_conn_id=target.aws_conn_id,
        region_name=target.region_name,
    )


def get_job_run(target: GlueTarget, job_run_id: str) -> dict[str, Any]:
    """The job run as Glue describes it now (state, error message, execution time …)."""
    return target.hook().conn.get_job_run(JobName=target.job_name, RunId=job_run_id)["JobRun"]


def check_succeeded(
    target: GlueTarget, job_run: Mapping[str, Any], event: Mapping[str, Any] | None, label: str
) -> None:
    """Whether the job run succeeded; if not, fail with its id, state and Glue's ErrorMessage.

    The run's own state decides, not only the trigger's event: a wait that gave up on a run
    still going stops that run rather than leave it billing.
    """
    state = job_run["JobRunState"]
    if state == SUCCEEDED:
        return
    job_run_id = job_run["Id"]
    where = f"{label}: Glue job {target.job_name!r} run {job_run_id}"
    message = job_run.get("ErrorMessage") or "no error message given"
    if state in ENDED_STATES:
        # A FAILED run is Spark refusing the request (transient failures are Glue's own
        # MaxRetries to retry, inside the run): the same request would fail the same way.
        raise GlueJobError(
            f"{where} ended {state}: {message}",
            retryable=state != "FAILED",
            summary=f"{where} ended {state}: {' '.join(message.split())}",
        )
    stop(target, job_run_id)
    waited = (event or {}).get("message", "no event from the trigger")
    raise GlueJobError(f"{where} was still {state} when the wait ended ({waited}); it was stopped")


def dpu_hours(job_run: Mapping[str, Any], target: GlueTarget) -> float:
    """What the run is billed, in DPU-hours: Glue's DPUSeconds where it reports them (Auto
    Scaling, Flex), else the run's ExecutionTime times its DPUs; at least one minute's worth."""
    workers = job_run.get("NumberOfWorkers") or target.number_of_workers
    worker_type = job_run.get("WorkerType") or target.worker_type
    dpus = job_run.get("MaxCapacity") or WORKER_DPUS.get(worker_type, 1) * workers
    seconds = job_run.get("DPUSeconds")
    if seconds is None:
        seconds = float(job_run.get("ExecutionTime") or 0) * dpus
    return max(float(seconds), MINIMUM_BILLED_SECONDS * dpus) / 3600


def stop(target: GlueTarget, job_run_id: str) -> None:
    target.hook().conn.batch_stop_job_run(JobName=target.job_name, JobRunIds=[job_run_id])
