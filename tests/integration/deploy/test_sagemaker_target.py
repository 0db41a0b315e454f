"""The `sagemaker` target through MLflow's SageMaker client, against the moto server.

moto covers what MLflow's client asks of S3 and SageMaker to create and delete an endpoint:
the model archive is uploaded to S3, the SageMaker model, endpoint configuration and endpoint
are created, the endpoint is InService at once, and deleting removes all three. What moto does
not cover: no container runs, so `InvokeEndpoint` returns whatever result it is told to (the
test checks the request and the parsing, not the model's answer); `UpdateEndpoint` is not
implemented (a version swap fails there, as the test shows); and there is no ECR image to push
(`mlflow sagemaker build-and-push-container` needs Docker), so the image URL is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import httpx
import pandas as pd
import pytest

from airloom import model_tags
from airloom.deploy import DeploymentError, DeploymentNotFound, get_target
from airloom.deploy.ownership import claim_endpoint
from airloom.tenancy import TenantAccessDenied
from tests.harness.sagemaker import IMAGE_URL, sagemaker_on_moto
from tests.integration.serving.support import register_linear


@pytest.fixture(scope="module")
def aws(moto) -> Iterator[str]:
    """boto3 (and so MLflow's SageMaker client) pointed at moto; the execution role's ARN."""
    with sagemaker_on_moto(moto.url, "airloom-sagemaker") as role:
        yield role


@pytest.fixture(scope="module")
def target(aws, mlflow):
    return get_target(
        "sagemaker", tracking_uri=mlflow.url, execution_role_arn=aws, image_url=IMAGE_URL
    )


@pytest.fixture(scope="module")
def model(mlflow) -> str:
    name = "sagemaker-target"
    register_linear(mlflow.url, name, slope=2.0)
    register_linear(mlflow.url, name, slope=3.0)
    return name


def test_create_uploads_the_model_and_returns_an_endpoint_in_service(target, model) -> None:
    created = target.create_deployment("churn-sm", f"models:/{model}/1", config={"tenant": "acme"})

    assert (created["status"], created["model_uri"], created["version"]) == (
        "InService",
        f"models:/{model}/1",
        "1",
    )
    # The endpoint's name is its tenant's, recorded with the endpoint itself.
    assert created["tenant"] == "acme"
    with pytest.raises(TenantAccessDenied, match="belongs to another tenant"):
        claim_endpoint(target, "churn-sm", "globex")
    assert claim_endpoint(target, "churn-sm", "acme")["model_uri"] == f"models:/{model}/1"
    sagemaker = boto3.client("sagemaker")
    config = sagemaker.describe_endpoint_config(EndpointConfigName=created["endpoint_config"])
    variant = config["ProductionVariants"][0]
    described = sagemaker.describe_model(ModelName=variant["ModelName"])
    container = described["PrimaryContainer"]
    assert container["Image"] == IMAGE_URL
    assert container["Environment"]["MLFLOW_DEPLOYMENT_FLAVOR_NAME"] == "python_function"
    bucket, key = container["ModelDataUrl"].removeprefix("s3://").split("/", 1)
    archive = boto3.client("s3").head_object(Bucket=bucket, Key=key)
    assert archive["ContentLength"] > 0 and key.endswith("model.tar.gz")
    assert "churn-sm" in {d["name"] for d in target.list_deployments()}


def test_predict_sends_the_scoring_request_and_parses_the_answer(moto, target, model) -> None:
    target.get_deployment("churn-sm")  # created above
    # moto runs no container: it answers what it is told to (see the module docstring).
    httpx.post(
        f"{moto.url}/moto-api/static/sagemaker/endpoint-results",
        json={
            "results": [
                {
                    "Body": json.dumps({"predictions": [4.0, 11.0]}),
                    "ContentType": "application/json",
                    "InvokedProductionVariant": "main",
                    "CustomAttributes": "",
                }
            ]
        },
    ).raise_for_status()

    predictions = target.predict("churn-sm", pd.DataFrame({"tenure": [1.0], "spend": [2.0]}))

    assert list(predictions["predictions"]) == [4.0, 11.0]


def test_update_needs_update_endpoint_which_moto_lacks_and_the_old_version_stays(
    target, model
) -> None:
    before = target.get_deployment("churn-sm")

    with pytest.raises(DeploymentError, match="could not update SageMaker endpoint 'churn-sm'"):
        target.update_deployment("churn-sm", model_uri=f"models:/{model}/2")

    after = target.get_deployment("churn-sm")
    assert (after["endpoint_config"], after["model_uri"]) == (
        before["endpoint_config"],
        f"models:/{model}/1",
    )
    # The model and configuration MLflow made for the failed update are gone again.
    # (moto ignores NameContains, and other tests' endpoints share the server: filter here.)
    sagemaker = boto3.client("sagemaker")
    models = [m["ModelName"] for m in sagemaker.list_models()["Models"]]
    listed = sagemaker.list_endpoint_configs()["EndpointConfigs"]
    configs = [c["EndpointConfigName"] for c in listed]
    assert (
        len([m for m in models if m.startswith("churn-sm-model-")]),
        [c for c in configs if c.startswith("churn-sm-config-")],
    ) == (1, [before["endpoint_config"]])


def test_delete_removes_endpoint_config_and_model_and_is_idempotent(target) -> None:
    sagemaker = boto3.client("sagemaker")
    config = target.get_deployment("churn-sm")["endpoint_config"]

    target.delete_deployment("churn-sm")
    target.delete_deployment("churn-sm")

    with pytest.raises(DeploymentNotFound, match="no endpoint 'churn-sm'"):
        target.get_deployment("churn-sm")
    names = {c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]}
    assert config not in names
    models = [m["ModelName"] for m in sagemaker.list_models()["Models"]]
    assert not [m for m in models if m.startswith("churn-sm-model-")]


def test_without_credentials_every_call_fails_as_a_deployment_error(mlflow, aws) -> None:
    """The target's contract holds even when boto3 finds no credentials at all: callers (the
    marketplace, the DAG) catch DeploymentError, never botocore's own exceptions."""
    NO_CREDENTIALS = r"'churn-x'.*Unable to locate credentials"
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.delenv(name, raising=False)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        env.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
        env.setenv("AWS_EC2_METADATA_DISABLED", "true")
        boto3.setup_default_session()  # forget the credentials the module's session found
        target = get_target("sagemaker", tracking_uri=mlflow.url, execution_role_arn=aws)
        try:
            with pytest.raises(DeploymentError, match=NO_CREDENTIALS):
                target.get_deployment("churn-x")
            with pytest.raises(DeploymentError, match=NO_CREDENTIALS):
                target.invoke("churn-x", b"{}", "application/json")
        finally:
            boto3.setup_default_session()


def test_a_missing_version_is_a_clear_error_and_creates_nothing(target, model) -> None:
    with pytest.raises(DeploymentError, match="could not deploy models:/sagemaker-target/9"):
        target.create_deployment("churn-missing", f"models:/{model}/9")
    with pytest.raises(DeploymentNotFound):
        target.get_deployment("churn-missing")
    assert model_tags.ENDPOINT_MODEL_URI == "airloom.model_uri"
