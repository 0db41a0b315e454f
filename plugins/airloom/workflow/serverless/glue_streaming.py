"""How a deployment runs ``spark_stream`` nodes as AWS Glue streaming jobs, for MWAA Serverless.

A Spark Structured Streaming run does not fit an MWAA Serverless worker (1 vCPU, 3 GiB, 60
minutes), so when a deployment declares Glue streaming (:class:`GlueStreaming`) the compiler
writes a ``spark_stream`` node as a task of
:class:`~airloom.workflow.serverless.glue_stream_operator.GlueStreamingOperator`: the node's
params as they are, plus the document of :meth:`GlueStreaming.task_document`, written by the
compiler from the deployment's settings (never from the design). The task runs the same
streaming job as the local node, bounded the same way (``availableNow``), as one run of a Glue
job (``gluestreaming``) of its own under the tenant's Glue role.

Pure and light to import: the builder validates with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

# The task key the compiler writes the document under, beside the node's params.
TASK_KEY = "glue_streaming"
COMMAND_NAME = "gluestreaming"  # CreateJob's Command.Name of a Glue streaming ETL job
JOB_PREFIX = "airloom-stream."
MAX_JOB_NAME = 255  # CreateJob's Name: 1-255 characters
WORKER_TYPES = frozenset({"G.025X", "G.1X", "G.2X", "G.4X", "G.8X"})
KafkaAuth = Literal["msk_iam", "connection"]
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
TENANT_CHECKED = "tenant"  # a tenant name the pattern is checked with
_S3_OBJECT = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$")


@dataclass(frozen=True)
class GlueStreaming:
    """A deployment's Glue streaming setup for ``spark_stream`` nodes.

    :param role_arn_pattern: each tenant's Glue job role, ``{tenant}`` its only placeholder
        (reaching only the tenant's lake area, its ``<tenant>.*`` topics and the code).
    :param script_location: s3:// of Airloom's ``glue_stream_entrypoint.py``.
    :param python_files: s3:// of the airloom package zip for Glue (``--extra-py-files``).
    :param glue_version: the job's GlueVersion.
    :param worker_type: Glue worker type of each run.
    :param number_of_workers: workers of each run (2 at least).
    :param network_connection: a Glue NETWORK connection in Airloom's VPC, through which the
        job reaches MSK ("" when Kafka is reachable without one).
    :param aws_conn_id: the Airflow AWS connection the task starts and watches runs with (on
        MWAA Serverless, the workflow's execution role).
    :param region_name: the Glue region (the connection's when None).
    :param waiter_delay: seconds between the triggerer's checks of a run.
    :param waiter_max_attempts: checks before the wait gives up and stops the run.
    """

    role_arn_pattern: str
    script_location: str
    python_files: str = ""
    glue_version: str = "5.0"
    worker_type: str = "G.1X"
    number_of_workers: int = 2
    network_connection: str = ""
    aws_conn_id: str = "aws_default"
    region_name: str | None = None
    waiter_delay: int = 30
    waiter_max_attempts: int = 110  # under the task's 60 minutes at the default delay

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("Glue streaming setup: " + "; ".join(problems))

    def problems(self) -> list[str]:
        found = [] if _ROLE_ARN.fullmatch(self.role_arn(TENANT_CHECKED)) else [""]
        if found or self.role_arn_pattern.count("{tenant}") != 1:
            found = [
                f"role_arn_pattern {self.role_arn_pattern!r} must be an IAM role ARN with "
                "{tenant} once, e.g. arn:aws:iam::123456789012:role/airloom-{tenant}-glue"
            ]
        return found + _run_problems(self)

    def role_arn(self, tenant: str) -> str:
        return self.role_arn_pattern.replace("{tenant}", tenant)

    def task_document(
        self, *, tenant: str, dag_id: str, node_id: str, kafka_is_msk: bool
    ) -> dict[str, Any]:
        """What the compiler writes under :data:`TASK_KEY` for one node of ``tenant``."""
        document = {key: value for key, value in asdict(self).items() if key != "role_arn_pattern"}
        document.update(
            job_name=job_name(dag_id, node_id),
            role_arn=self.role_arn(tenant),
            kafka_auth="msk_iam" if kafka_is_msk else "connection",
        )
        return {key: value for key, value in document.items() if value not in ("", None)}


def job_name(dag_id: str, node_id: str) -> str:
    """One Glue job per node: its runs never overlap (MaxConcurrentRuns 1), and a tenant's
    jobs share the prefix ``airloom-stream.wf-<tenant>-`` an IAM policy can name."""
    return f"{JOB_PREFIX}{dag_id}.{node_id}"


@dataclass(frozen=True)
class GlueStreamingTask:
    """The document as the task receives it, checked: only what the compiler writes."""

    job_name: str
    role_arn: str
    script_location: str
    kafka_auth: KafkaAuth
    python_files: str = ""
    glue_version: str = "5.0"
    worker_type: str = "G.1X"
    number_of_workers: int = 2
    network_connection: str = ""
    aws_conn_id: str = "aws_default"
    region_name: str | None = None
    waiter_delay: int = 30
    waiter_max_attempts: int = 110

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> GlueStreamingTask:
        unknown = sorted(set(document) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"{TASK_KEY} has unknown keys {unknown}")
        task = cls(**document)
        if not task.job_name.startswith(JOB_PREFIX) or len(task.job_name) > MAX_JOB_NAME:
            raise ValueError(f"{TASK_KEY}: {task.job_name!r} is not an Airloom stream job")
        if task.kafka_auth not in ("msk_iam", "connection"):
            raise ValueError(f"{TASK_KEY}: kafka_auth {task.kafka_auth!r} is unknown")
        problems = [] if _ROLE_ARN.fullmatch(task.role_arn) else [f"role_arn {task.role_arn!r}"]
        problems += _run_problems(task)
        if problems:
            raise ValueError(f"{TASK_KEY}: " + "; ".join(problems))
        return task


def _run_problems(setup: GlueStreaming | GlueStreamingTask) -> list[str]:
    """The checks the deployment's settings and a task's document share."""
    found: list[str] = []
    for name in ("script_location", "python_files"):
        value = getattr(setup, name)
        if (value or name == "script_location") and not _S3_OBJECT.fullmatch(value):
            found.append(f"{name} {value!r} must be an s3://bucket/key object")
    if setup.worker_type not in WORKER_TYPES:
        found.append(f"worker_type {setup.worker_type!r} is not one of {sorted(WORKER_TYPES)}")
    if setup.number_of_workers < 2:
        found.append("number_of_workers must be 2 at least")
    if setup.waiter_delay < 1 or setup.waiter_max_attempts < 1:
        found.append("waiter_delay and waiter_max_attempts must be positive")
    return found
