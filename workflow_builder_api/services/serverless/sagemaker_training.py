"""The deployment's SageMaker training setup for MWAA Serverless, from the builder's settings."""

from __future__ import annotations

from airloom.ml.sagemaker_settings import SageMakerTraining
from workflow_builder_api.core.config import Settings
from workflow_builder_api.services.serverless.roles import check_role_arn_pattern


def sagemaker_training_setup(settings: Settings) -> SageMakerTraining | None:
    """The setup when the deployment declares SageMaker training, else None. The jobs run in
    the workflows' subnets (where MLflow is) under each tenant's own training role.

    :raises ValueError: naming the settings that are missing or wrong.
    """
    if not settings.serverless_sagemaker_training:
        return None
    image = settings.serverless_sagemaker_image_uri
    pattern = settings.serverless_sagemaker_role_arn_pattern
    if not (image and pattern):
        raise ValueError(
            "AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_TRAINING needs "
            "AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_IMAGE_URI and "
            "AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_ROLE_ARN_PATTERN"
        )
    try:
        check_role_arn_pattern(pattern)
    except ValueError as error:
        raise ValueError(f"AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_ROLE_ARN_PATTERN {error}") from None
    secret = settings.serverless_sagemaker_mlflow_secret_id
    try:
        return SageMakerTraining(
            image_uri=image,
            role_arn_pattern=pattern,
            instance_type=settings.serverless_sagemaker_instance_type,
            subnet_ids=tuple(settings.serverless_subnet_ids),
            security_group_ids=tuple(settings.serverless_security_group_ids),
            mlflow_secret_id=secret,
            region_name=settings.aws_region,
        )
    except ValueError as error:  # the instance type or the secret: name the setting
        variable = (
            "MLFLOW_SECRET_ID" if secret is not None and "secret" in str(error) else "INSTANCE_TYPE"
        )
        raise ValueError(f"AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_{variable}: {error}") from None
