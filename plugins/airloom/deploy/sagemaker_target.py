"""The ``sagemaker`` target: SageMaker real-time endpoints through MLflow's deployment client.

MLflow's ``SageMakerDeploymentClient`` (``mlflow.deployments.get_deploy_client("sagemaker")``)
does the work: it downloads the version, uploads it to S3 as ``model.tar.gz``, creates the
SageMaker model, endpoint configuration and endpoint, and waits until the endpoint is
``InService`` (or, with ``config={"synchronous": False}``, returns once SageMaker has
accepted the request, and the caller waits, e.g. with the Amazon provider's deferrable
``SageMakerTrigger``). This target adds Airloom's contract around it: the version served is recorded
as the endpoint tag ``airloom.model_uri``, ``delete_deployment`` is idempotent, a missing
endpoint raises :class:`DeploymentNotFound`, and every failure is a :class:`DeploymentError`
naming the endpoint and the cause.

The serving image is not built here: push it once with ``mlflow sagemaker
build-and-push-container`` (it needs Docker) and name it with ``image_url`` or
``AIRLOOM_SAGEMAKER_IMAGE_URL``. AWS is reached through boto3's usual configuration
(``AWS_*`` variables, the worker's IAM role; ``AWS_ENDPOINT_URL`` for a stand-in such as moto).
"""

from __future__ import annotations

import os
from typing import Any

from airloom import model_tags
from airloom.deploy.base import DeploymentError, DeploymentNotFound
from airloom.ml.tracking import mlflow_uris


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def _sync(config: dict[str, Any] | None) -> dict[str, Any]:
    """The caller's choice to wait (MLflow's ``synchronous``), when it made one. Not waiting,
    MLflow cannot clean up the replaced model and configuration itself: it keeps them
    (``archive``), which also leaves the previous version's configuration for a rollback."""
    if "synchronous" not in (config or {}):
        return {}
    synchronous = bool(config["synchronous"])  # type: ignore[index]
    return {"synchronous": synchronous} if synchronous else {"synchronous": False, "archive": True}


class SageMakerTarget:
    """SageMaker endpoints, shaped like MLflow's ``BaseDeploymentClient``.

    :param tracking_uri: the MLflow server the versions are downloaded from.
    :param registry_uri: the model registry, if not the tracking server.
    :param region_name: AWS region (default ``AIRLOOM_SAGEMAKER_REGION``, ``AWS_DEFAULT_REGION``).
    :param execution_role_arn: the role SageMaker runs the model with
        (default ``AIRLOOM_SAGEMAKER_EXECUTION_ROLE_ARN``).
    :param image_url: the MLflow serving image in ECR (default ``AIRLOOM_SAGEMAKER_IMAGE_URL``,
        else MLflow's own default: ``MLFLOW_SAGEMAKER_DEPLOY_IMG_URL`` or the ``mlflow-pyfunc``
        ECR repository).
    :param bucket: S3 bucket for model archives (default ``AIRLOOM_SAGEMAKER_BUCKET``, else
        MLflow creates ``mlflow-sagemaker-<region>-<account>``).
    :param instance_type: instance type of the endpoint.
    :param timeout_seconds: how long to wait for an endpoint to be in service.
    """

    target_name = "sagemaker"

    def __init__(
        self,
        tracking_uri: str,
        registry_uri: str | None = None,
        region_name: str | None = None,
        execution_role_arn: str | None = None,
        image_url: str | None = None,
        bucket: str | None = None,
        instance_type: str = "ml.m5.large",
        instance_count: int = 1,
        timeout_seconds: int = 1200,
    ) -> None:
        from mlflow.deployments import get_deploy_client

        self.tracking_uri = tracking_uri
        self.registry_uri = registry_uri or tracking_uri
        self.region_name = (
            region_name
            or _env("AIRLOOM_SAGEMAKER_REGION")
            or _env("AWS_DEFAULT_REGION")
            or "us-east-1"
        )
        self.deployment_config = {
            key: value
            for key, value in {
                "execution_role_arn": execution_role_arn
                or _env("AIRLOOM_SAGEMAKER_EXECUTION_ROLE_ARN"),
                "image_url": image_url or _env("AIRLOOM_SAGEMAKER_IMAGE_URL"),
                "bucket": bucket or _env("AIRLOOM_SAGEMAKER_BUCKET"),
                "instance_type": instance_type,
                "instance_count": instance_count,
                "timeout_seconds": timeout_seconds,
                "synchronous": True,
            }.items()
            if value is not None
        }
        self.client = get_deploy_client(f"sagemaker:/{self.region_name}")

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Create endpoint ``name`` serving ``model_uri``; returns once it is in service."""
        tags = {model_tags.ENDPOINT_MODEL_URI: model_uri}
        if (config or {}).get("tenant"):
            tags[model_tags.ENDPOINT_TENANT] = config[
                "tenant"
            ]  # who owns the name (airloom.deploy.ownership)
        options = {**self.deployment_config, **_sync(config), "tags": tags}
        self._run(
            f"deploy {model_uri} to SageMaker endpoint {name!r}",
            self.client.create_deployment,
            name,
            model_uri,
            flavor=flavor or "python_function",
            config=options,
        )
        return self.get_deployment(name)

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Replace the model behind ``name`` (SageMaker's ``UpdateEndpoint``, no downtime)."""
        current = self.get_deployment(name)
        if model_uri is None:
            return current
        options = {**self.deployment_config, **_sync(config), "mode": "replace"}
        before = self._resources(name)
        try:
            self._run(
                f"update SageMaker endpoint {name!r} to {model_uri}",
                self.client.update_deployment,
                name,
                model_uri,
                flavor=flavor or "python_function",
                config=options,
            )
        except DeploymentError:
            # MLflow creates the new model and configuration before UpdateEndpoint: remove
            # what a failed update left behind; the endpoint still uses the old ones.
            self._remove_new_resources(name, before)
            raise
        self._sagemaker().add_tags(
            ResourceArn=current["arn"],
            Tags=[{"Key": model_tags.ENDPOINT_MODEL_URI, "Value": model_uri}],
        )
        return self.get_deployment(name)

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        """Delete the endpoint, its configuration and models; nothing to do if it is gone."""
        try:
            self.get_deployment(name)
        except DeploymentNotFound:
            return
        options = {
            "region_name": self.region_name,
            "synchronous": True,
            "timeout_seconds": self.deployment_config["timeout_seconds"],
        }
        self._run(
            f"delete SageMaker endpoint {name!r}",
            self.client.delete_deployment,
            name,
            config=options,
        )

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        listed = self._run("list SageMaker endpoints", self.client.list_deployments)
        return [
            {"name": item["EndpointName"], "status": item["EndpointStatus"], "target": "sagemaker"}
            for item in listed
        ]

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        sagemaker = self._sagemaker()
        try:
            described = sagemaker.describe_endpoint(EndpointName=name)
            tags = sagemaker.list_tags(ResourceArn=described["EndpointArn"]).get("Tags", [])
        except ClientError as exc:
            if "Could not find endpoint" in str(exc):
                raise DeploymentNotFound(
                    f"SageMaker has no endpoint {name!r} in {self.region_name}"
                ) from None
            raise DeploymentError(f"could not read SageMaker endpoint {name!r}: {exc}") from exc
        except BotoCoreError as exc:  # no credentials, no network: still a DeploymentError
            raise DeploymentError(f"could not read SageMaker endpoint {name!r}: {exc}") from exc
        model_uri = next(
            (t["Value"] for t in tags if t["Key"] == model_tags.ENDPOINT_MODEL_URI), None
        )
        tenant = next((t["Value"] for t in tags if t["Key"] == model_tags.ENDPOINT_TENANT), None)
        version = model_uri.rsplit("/", 1)[-1] if model_uri else None
        return {
            "name": name,
            "target": self.target_name,
            "status": described["EndpointStatus"],
            "arn": described["EndpointArn"],
            "endpoint_config": described["EndpointConfigName"],
            "model_uri": model_uri,
            "version": version,
            "tenant": tenant,
            "failure_reason": described.get("FailureReason"),
            "created_at": described["CreationTime"].isoformat(),
            "updated_at": described["LastModifiedTime"].isoformat(),
        }

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        if deployment_name is None:
            raise DeploymentError("predict needs the deployment (endpoint) name")
        return self._run(
            f"predict with SageMaker endpoint {deployment_name!r}",
            self.client.predict,
            deployment_name,
            inputs,
        )

    def invoke(self, name: str, body: bytes, content_type: str) -> tuple[int, bytes, str]:
        """Pass one scoring request to the endpoint through the SageMaker runtime API."""
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            runtime = boto3.client("sagemaker-runtime", region_name=self.region_name)
            response = runtime.invoke_endpoint(
                EndpointName=name, Body=body, ContentType=content_type or "application/json"
            )
        except BotoCoreError as exc:  # the request never reached the endpoint
            raise DeploymentError(f"could not reach SageMaker endpoint {name!r}: {exc}") from exc
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("OriginalStatusCode") or exc.response.get(
                "ResponseMetadata", {}
            ).get("HTTPStatusCode", 502)
            return int(status), str(error.get("Message", exc)).encode(), "text/plain"
        media_type = response.get("ContentType") or "application/json"
        return 200, response["Body"].read(), media_type

    def _resources(self, name: str) -> tuple[set[str], set[str]]:
        """The SageMaker models and endpoint configurations MLflow made for endpoint ``name``.

        ``NameContains`` narrows the listing (where implemented); the prefix check keeps out
        other endpoints whose names contain this one, so cleanup never touches theirs.
        """
        sagemaker = self._sagemaker()
        models = {
            model["ModelName"]
            for page in sagemaker.get_paginator("list_models").paginate(
                NameContains=f"{name}-model-"
            )
            for model in page["Models"]
            if model["ModelName"].startswith(f"{name}-model-")
        }
        configs = {
            config["EndpointConfigName"]
            for page in sagemaker.get_paginator("list_endpoint_configs").paginate(
                NameContains=f"{name}-config-"
            )
            for config in page["EndpointConfigs"]
            if config["EndpointConfigName"].startswith(f"{name}-config-")
        }
        return models, configs

    def _remove_new_resources(self, name: str, before: tuple[set[str], set[str]]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        sagemaker = self._sagemaker()
        models, configs = self._resources(name)
        try:
            for config in configs - before[1]:
                sagemaker.delete_endpoint_config(EndpointConfigName=config)
            for model in models - before[0]:
                sagemaker.delete_model(ModelName=model)
        except (ClientError, BotoCoreError):
            pass  # best effort: the update's own error is the one to report

    def _sagemaker(self) -> Any:
        import boto3

        return boto3.client("sagemaker", region_name=self.region_name)

    def _run(self, what: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError
        from mlflow.exceptions import MlflowException

        try:
            with mlflow_uris(self.tracking_uri, self.registry_uri):
                return call(*args, **kwargs)
        except MlflowException as exc:
            raise DeploymentError(f"could not {what}: {exc.message}") from exc
        except (ClientError, BotoCoreError) as exc:
            raise DeploymentError(f"could not {what}: {exc}") from exc
