"""SageMaker on the moto server: what a test deploying to the ``sagemaker`` target sets up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

IMAGE_URL = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlflow-pyfunc:test"


@contextmanager
def sagemaker_on_moto(moto_url: str, role_name: str) -> Iterator[str]:
    """boto3 (and so MLflow's SageMaker client) aimed at moto, with an execution role named
    ``role_name`` and the serving image set for the target; yields the role's ARN."""
    import boto3

    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "AWS_ENDPOINT_URL": moto_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AIRLOOM_SAGEMAKER_IMAGE_URL": IMAGE_URL,
        }.items():
            env.setenv(name, value)
        role = boto3.client("iam").create_role(RoleName=role_name, AssumeRolePolicyDocument="{}")
        arn = role["Role"]["Arn"]
        env.setenv("AIRLOOM_SAGEMAKER_EXECUTION_ROLE_ARN", arn)
        yield arn
