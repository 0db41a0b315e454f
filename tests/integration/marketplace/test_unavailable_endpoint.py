"""One endpoint whose target cannot be asked must not break the tenant's others.

Reproduced for real: a SageMaker deployment is accepted while AWS (moto) answers — the
marketplace asks the target who holds the endpoint name before it starts a run — and then the
credentials are gone before its run (the `model_deployment` DAG, run with dag.test())
executes. The run fails, and from then on every question about that endpoint meets botocore's
NoCredentialsError. The list
shows the endpoint as unavailable with the reason, the endpoint's own routes answer 503 with
it, nothing answers 500; once credentials are back (moto, as AWS), the failed endpoint is gone.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from mlflow import MlflowClient

from airloom import model_tags
from tests.harness.airflow import run_dag
from tests.integration.marketplace.airflow_runs import DagTestAirflow
from tests.integration.marketplace.conftest import Marketplace, open_marketplace
from tests.integration.serving.support import register_linear

pytestmark = pytest.mark.usefixtures("airflow_db", "airloom_connections")

MODEL = "unavailable-churn"
ENDPOINT = "unavailable-sm"
# Everywhere boto3 looks for credentials, emptied; AWS itself would be moto, were any found.
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
)  # fmt: skip


@pytest.fixture(scope="module")
def airflow() -> DagTestAirflow:
    return DagTestAirflow()


@pytest.fixture(scope="module")
def market(mlflow, moto, tmp_path_factory, airflow) -> Iterator[Marketplace]:
    state = tmp_path_factory.mktemp("unavailable")
    with pytest.MonkeyPatch.context() as env:
        for name in CREDENTIAL_VARIABLES:
            env.delenv(name, raising=False)
        for name, value in {
            "AWS_SHARED_CREDENTIALS_FILE": str(state / "no-credentials"),
            "AWS_CONFIG_FILE": str(state / "no-config"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": moto.url,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AIRLOOM_SAGEMAKER_IMAGE_URL": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1",
            "AIRLOOM_SAGEMAKER_EXECUTION_ROLE_ARN": "arn:aws:iam::123456789012:role/sm",
        }.items():
            env.setenv(name, value)
        boto3.setup_default_session()  # forget credentials an earlier test's session found
        with open_marketplace(f"sqlite:///{state / 'marketplace.db'}", mlflow.url) as app:
            app.app.state.airflow = lambda: airflow
            yield app
    boto3.setup_default_session()


@pytest.fixture(scope="module")
def version(mlflow, market) -> int:
    """A version of MODEL, validated by the real DAG, owned by tenant "unavailable"."""
    number = register_linear(mlflow.url, MODEL, slope=2.0)
    MlflowClient(mlflow.url).set_registered_model_tag(MODEL, model_tags.TENANT, "unavailable")
    validated = run_dag("model_validation", {"model_name": MODEL, "version": number})
    assert validated.succeeded, validated.task_states
    market.sync()
    return number


@pytest.fixture(scope="module")
def acme(market) -> dict[str, str]:
    return market.key("unavailable", "pro")


@pytest.fixture(scope="module")
def failed_deployment(market, airflow, acme, version) -> dict:
    """The deployment run of ENDPOINT to SageMaker, accepted with credentials, run without."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        boto3.setup_default_session()
        started = market.client.post(
            f"/api/v1/models/{MODEL}/versions/{version}/deploy",
            json={"target": "sagemaker", "endpoint": ENDPOINT},
            headers=acme,
        )
    boto3.setup_default_session()
    assert started.status_code == 202, started.text
    deployed = airflow.execute(started.json()["run_id"])
    assert not deployed.succeeded, deployed.task_states
    return started.json()


def test_the_endpoint_is_listed_unavailable_and_its_routes_answer_503(
    market, acme, failed_deployment
) -> None:
    listed = market.client.get("/api/v1/endpoints", headers=acme)
    read = market.client.get(f"/api/v1/endpoints/{ENDPOINT}", headers=acme)
    rollback = market.client.post(f"/api/v1/endpoints/{ENDPOINT}/rollback", headers=acme)
    delete = market.client.delete(f"/api/v1/endpoints/{ENDPOINT}", headers=acme)
    invoke = market.client.post(
        f"/api/v1/endpoints/{ENDPOINT}/invocations",
        json={"inputs": {"tenure": [1.0], "spend": [2.0]}},
        headers=acme,
    )

    assert listed.status_code == 200, listed.text
    (entry,) = listed.json()["endpoints"]
    assert (entry["name"], entry["status"]) == (ENDPOINT, "unavailable")
    assert "Unable to locate credentials" in entry["reason"]
    assert entry["latest_deployment"]["run_id"] == failed_deployment["run_id"]
    assert entry["latest_deployment"]["state"] == "failed"
    for answer in (read, rollback, delete, invoke):
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "unavailable"
        assert "Unable to locate credentials" in answer.json()["detail"]


def test_with_credentials_back_the_failed_endpoint_is_simply_gone(
    market, acme, failed_deployment
) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        boto3.setup_default_session()
        listed = market.client.get("/api/v1/endpoints", headers=acme)
        read = market.client.get(f"/api/v1/endpoints/{ENDPOINT}", headers=acme)
    boto3.setup_default_session()

    assert (listed.status_code, listed.json()) == (200, {"endpoints": []})
    assert (read.status_code, read.json()["code"]) == (404, "not_found")
