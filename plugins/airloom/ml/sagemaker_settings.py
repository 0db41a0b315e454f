"""How a deployment runs training nodes as SageMaker training jobs (MWAA Serverless's redirect).

Kept free of heavy imports: the compiler reads it to write a definition, and the worker's task
(:mod:`airloom.ml.sagemaker_training`) rebuilds it from the definition's document. These are
the deployment's settings, never a designer's: no param of a node can name an image, a role or
a network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

TENANT_PLACEHOLDER = "{tenant}"
_INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9]+\.[a-z0-9]+$")
# GetSecretValue's SecretId: a name (letters, digits, /_+=.@-) or the secret's ARN.
_SECRET_ID = re.compile(
    r"^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[\w/+=.@-]{1,512}$"
)


@dataclass(frozen=True)
class SageMakerTraining:
    """Where a training node's SageMaker job runs.

    :param image_uri: Airloom's training image (the ``airloom`` package; its entry point is
        ``python -m airloom.ml.sagemaker_job``).
    :param role_arn_pattern: the tenant's role for the job, ``{tenant}`` its only placeholder:
        the task fills in its own tenant, so a job never runs under another tenant's role.
    :param instance_type: the job's instance (``ml.m5.large``: 2 vCPU, 8 GiB).
    :param subnet_ids: the job's VPC subnets, where it reaches MLflow (the workflows' own).
    :param security_group_ids: the job's security groups there.
    :param mlflow_secret_id: the Secrets Manager secret holding the MLflow connection (as
        Airflow's secrets backend stores it, e.g. ``airflow/connections/airloom_mlflow``), which
        the job reads under its own role for its login and password; ``{tenant}`` in it (at
        most once) gives each tenant its own. None: the job sends no credentials.
    :param aws_conn_id: the worker's AWS connection (on MWAA Serverless, the workflow's role).
    :param waiter_delay: seconds between the triggerer's checks of the job.
    """

    image_uri: str
    role_arn_pattern: str
    instance_type: str = "ml.m5.large"
    volume_size_gb: int = 30
    max_runtime_seconds: int = 24 * 3600
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    mlflow_secret_id: str | None = None
    aws_conn_id: str = "aws_default"
    region_name: str | None = None
    waiter_delay: int = 30
    waiter_max_attempts: int = 2880  # a day at the default delay, as max_runtime_seconds

    def __post_init__(self) -> None:
        if not self.image_uri:
            raise ValueError("SageMaker training needs the training image's URI")
        if self.role_arn_pattern.count(TENANT_PLACEHOLDER) != 1 or ":role/" not in (
            self.role_arn_pattern
        ):
            raise ValueError(
                f"the SageMaker training role must be an IAM role ARN pattern holding "
                f"{TENANT_PLACEHOLDER} once, not {self.role_arn_pattern!r}"
            )
        if not _INSTANCE_TYPE.fullmatch(self.instance_type):
            raise ValueError(f"{self.instance_type!r} is not a SageMaker instance type")
        secret = self.mlflow_secret_id
        if secret is not None and (
            secret.count(TENANT_PLACEHOLDER) > 1
            or not _SECRET_ID.fullmatch(secret.replace(TENANT_PLACEHOLDER, "x"))
        ):
            raise ValueError(
                f"the MLflow connection's secret must be a Secrets Manager name or ARN, with "
                f"{TENANT_PLACEHOLDER} at most once, not {secret!r}"
            )

    def role_arn(self, tenant: str) -> str:
        """The ARN of ``tenant``'s role for training jobs."""
        return self.role_arn_pattern.replace(TENANT_PLACEHOLDER, tenant)

    def mlflow_secret(self, tenant: str) -> str | None:
        """The secret ``tenant``'s jobs read the MLflow credentials from, if any."""
        if self.mlflow_secret_id is None:
            return None
        return self.mlflow_secret_id.replace(TENANT_PLACEHOLDER, tenant)

    def to_document(self) -> dict[str, Any]:
        document = asdict(self)
        document["subnet_ids"] = list(self.subnet_ids)
        document["security_group_ids"] = list(self.security_group_ids)
        return document

    @classmethod
    def from_document(cls, document: Mapping[str, Any] | SageMakerTraining) -> SageMakerTraining:
        if isinstance(document, SageMakerTraining):
            return document
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(document) - known)
        if unknown:
            raise ValueError(f"unknown SageMaker training settings: {unknown}")
        values = dict(document)
        for name in ("subnet_ids", "security_group_ids"):
            values[name] = tuple(values.get(name) or ())
        return cls(**values)
