"""The builder's settings for training nodes on SageMaker: declared, they reach the compiler's
target with the workflows' subnets; declared without the image or a per-tenant role pattern,
the builder says which setting to fix."""

from __future__ import annotations

import pytest

from servicekit.settings import load_settings
from tests.unit.builder.test_serverless_settings import SERVERLESS
from workflow_builder_api.core.config import Settings
from workflow_builder_api.services.serverless.publisher import ServerlessConfig

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/airloom-training:1.4.0"
ROLES = "arn:aws:iam::123456789012:role/airloom-{tenant}-training"


def config(monkeypatch: pytest.MonkeyPatch, **environment: str) -> ServerlessConfig:
    for name, value in {**SERVERLESS, **environment}.items():
        monkeypatch.setenv(name, value)
    return ServerlessConfig.from_settings(load_settings(Settings))


def test_declared_sagemaker_training_reaches_the_compilers_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = config(
        monkeypatch,
        AIRLOOM_BUILDER_SERVERLESS_SUBNET_IDS='["subnet-1"]',
        AIRLOOM_BUILDER_SERVERLESS_SECURITY_GROUP_IDS='["sg-1"]',
        AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_TRAINING="true",
        AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_IMAGE_URI=IMAGE,
        AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_ROLE_ARN_PATTERN=ROLES,
    ).target
    assert target.sagemaker_training and target.sagemaker is not None
    assert target.sagemaker.image_uri == IMAGE
    assert target.sagemaker.role_arn("acme") == (
        "arn:aws:iam::123456789012:role/airloom-acme-training"
    )
    assert (target.sagemaker.subnet_ids, target.sagemaker.security_group_ids) == (
        ("subnet-1",),
        ("sg-1",),
    )
    assert (
        config(monkeypatch, AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_TRAINING="false").target.sagemaker
        is None
    )


def test_sagemaker_training_without_image_or_tenant_roles_names_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValueError, match=r"SAGEMAKER_IMAGE_URI and .*SAGEMAKER_ROLE_ARN_PATTERN"):
        config(monkeypatch, AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_TRAINING="true")
    with pytest.raises(ValueError, match=r"SAGEMAKER_ROLE_ARN_PATTERN must hold \{tenant\}"):
        config(
            monkeypatch,
            AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_TRAINING="true",
            AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_IMAGE_URI=IMAGE,
            AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_ROLE_ARN_PATTERN=(
                "arn:aws:iam::123456789012:role/airloom-shared-training"
            ),
        )


def test_the_mlflow_secret_reaches_the_jobs_setup_and_a_bad_one_names_its_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    declared = {
        "AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_TRAINING": "true",
        "AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_IMAGE_URI": IMAGE,
        "AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_ROLE_ARN_PATTERN": ROLES,
    }
    sagemaker = config(
        monkeypatch,
        **declared,
        AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_MLFLOW_SECRET_ID="airflow/connections/mlflow_{tenant}",
    ).target.sagemaker
    assert sagemaker is not None
    assert sagemaker.mlflow_secret("acme") == "airflow/connections/mlflow_acme"
    monkeypatch.delenv("AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_MLFLOW_SECRET_ID")
    assert config(monkeypatch, **declared).target.sagemaker.mlflow_secret("acme") is None

    with pytest.raises(
        ValueError, match=r"^AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_MLFLOW_SECRET_ID: "
    ):
        config(
            monkeypatch,
            **declared,
            AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_MLFLOW_SECRET_ID="mlflow {tenant} {tenant}",
        )
