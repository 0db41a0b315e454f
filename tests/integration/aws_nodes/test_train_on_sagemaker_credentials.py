"""MLflow credentials for training jobs: read by the job from Secrets Manager, never sent.

The session's MLflow is put behind a loopback HTTP Basic-auth check
(:mod:`tests.harness.basic_auth_proxy`, which records whose login each accepted request
carried): a job without credentials cannot register anything there. The deployment names the
MLflow connection's secret per tenant (``airflow/connections/mlflow_{tenant}``, in moto's
Secrets Manager, stored as Airflow's secrets backend stores connections); the stand-in runs the
job as a process of its own with the job's ``Environment`` and its role's credentials only.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime

import boto3
import pytest
from airflow.sdk import DAG

from airloom import model_tags
from airloom.ml.sagemaker_training import SageMakerTrainModelOperator
from airloom.tenancy import Grants, TenantScope
from airloom.workflow.serverless.definition import compile_definition
from airloom.workflow.serverless.placement import ServerlessTarget
from tests.harness.airflow import run_dag_object
from tests.harness.aws_stand_ins.server import REGION, StandIn
from tests.harness.basic_auth_proxy import BasicAuthProxy, basic_auth_proxy
from tests.harness.servers import RunningServer
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.integration.aws_nodes.test_train_on_sagemaker import (
    CUSTOMERS,
    KEYS,
    SAGEMAKER,
    _created_jobs,
    _design,
    _error,
    _landed,
    s3_lake,  # noqa: F401 - the lake on moto, a fixture
)
from tests.unit.workflow.test_serverless_definition import load_as_the_service

SECRETS = "airflow/connections/mlflow_{tenant}"
USERS = {"platform": "pw-platform", "acme-trainer": "pw-acme-77", "globex-trainer": "pw-globex-91"}


def _target(secret_id: str | None) -> ServerlessTarget:
    settings = SAGEMAKER.to_document() | {"mlflow_secret_id": secret_id}
    return ServerlessTarget(
        private_network=True, sagemaker_training=True, sagemaker=type(SAGEMAKER)(**settings)
    )


@pytest.fixture
def guarded_mlflow(
    s3_lake: str,  # noqa: F811
    mlflow: RunningServer,
    moto: RunningServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[BasicAuthProxy]:
    """MLflow behind basic auth; the worker's connection and each tenant's secret reach it."""
    with basic_auth_proxy(mlflow.url, USERS) as proxy:
        monkeypatch.setenv(
            "AIRFLOW_CONN_AIRLOOM_MLFLOW",
            json.dumps(
                {
                    "conn_type": "http",
                    "host": proxy.url,
                    "login": "platform",
                    "password": USERS["platform"],
                }
            ),
        )
        secrets = boto3.client("secretsmanager", endpoint_url=moto.url, region_name=REGION, **KEYS)
        # As Terraform's secrets module stores a connection (JSON), and as a URI: both are
        # what Airflow's SecretsManagerBackend reads.
        documents = {
            "acme": json.dumps(
                {
                    "conn_type": "http",
                    "host": proxy.url,
                    "login": "acme-trainer",
                    "password": USERS["acme-trainer"],
                }
            ),
            "globex": f"http://globex-trainer:{USERS['globex-trainer']}@{proxy.url.removeprefix('http://')}",
        }
        for tenant, text in documents.items():
            name = SECRETS.replace("{tenant}", tenant)
            try:
                secrets.create_secret(Name=name, SecretString=text)
            except secrets.exceptions.ResourceExistsException:
                secrets.put_secret_value(SecretId=name, SecretString=text)
        yield proxy


def test_each_tenants_job_trains_with_its_own_secret_and_no_password_is_ever_sent(
    guarded_mlflow: BasicAuthProxy,
    mlflow: RunningServer,
    moto: RunningServer,
    stand_in: StandIn,
    s3_lake: str,  # noqa: F811
) -> None:
    from mlflow import MlflowClient

    source, acme = _landed(moto, CUSTOMERS)
    globex = TenantScope("globex", acme.grants)
    runs = {}
    for scope in (acme, globex):
        stand_in.reset()
        guarded_mlflow.reset()
        model = f"churn_auth_{scope.tenant}_{uuid.uuid4().hex[:6]}"
        definition = compile_definition(
            _design(source, model),
            workflow_id="wf-1",
            version=1,
            scope=scope,
            target=_target(SECRETS),
        )
        dag = load_as_the_service(definition.yaml_text)
        result = run_dag_object(dag)
        assert result.succeeded, result.task_states
        (job,) = _created_jobs(stand_in)
        runs[scope.tenant] = (model, job, guarded_mlflow.logins())

    for tenant, (model, job, logins) in runs.items():
        # The job registered the model, through the check, with its own tenant's login only.
        assert f"{tenant}-trainer" in logins
        assert logins - {"platform"} == {f"{tenant}-trainer"}
        registered = MlflowClient(tracking_uri=mlflow.url).get_registered_model(model)
        assert registered.tags[model_tags.TENANT] == tenant
        # What travels: the secret's id in the job's Environment, never a password.
        assert (
            job["Environment"]["AIRLOOM_MLFLOW_SECRET_ID"] == f"airflow/connections/mlflow_{tenant}"
        )
        request_uri = job["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"]
        bucket, _, prefix = request_uri.removeprefix("s3://").partition("/")
        s3 = boto3.client("s3", endpoint_url=moto.url, region_name=REGION, **KEYS)
        request = s3.get_object(Bucket=bucket, Key=f"{prefix}request.json")["Body"].read().decode()
        sagemaker = boto3.client("sagemaker", endpoint_url=stand_in.url, region_name=REGION, **KEYS)
        described = json.dumps(
            sagemaker.describe_training_job(TrainingJobName=job["TrainingJobName"]), default=str
        )
        for password in USERS.values():
            assert password not in request and password not in described
            assert password not in json.dumps(job)
        assert "password" not in request


def test_a_secret_the_job_cannot_read_fails_it_naming_the_secret(
    guarded_mlflow: BasicAuthProxy,
    moto: RunningServer,
    stand_in: StandIn,
    s3_lake: str,  # noqa: F811
) -> None:
    source, scope = _landed(moto, CUSTOMERS)
    target = _target("airflow/connections/never_stored_{tenant}")
    definition = compile_definition(
        _design(source, f"churn_nosecret_{uuid.uuid4().hex[:6]}"),
        workflow_id="wf-1",
        version=1,
        scope=scope,
        target=target,
    )
    dag = load_as_the_service(definition.yaml_text)
    guarded_mlflow.reset()

    result = run_dag_object(dag)

    assert result.task_states == {"features": "success", "train": "failed"}
    (job,) = _created_jobs(stand_in)
    summary = _error(dag, result)["summary"]
    assert summary.startswith(
        f"node 'train': SageMaker training job {job['TrainingJobName']} ended Failed: "
        "AlgorithmError: JobRequestError: the MLflow connection's secret "
        "'airflow/connections/never_stored_acme' could not be read: ResourceNotFoundException"
    )
    assert guarded_mlflow.logins() <= {"platform"}  # the job never reached MLflow


def test_credentials_without_a_secret_to_carry_them_fail_before_any_job(
    guarded_mlflow: BasicAuthProxy,
    stand_in: StandIn,
    s3_lake: str,  # noqa: F811
    airflow_db,
) -> None:
    table = f"{s3_lake}/tenants/acme/churn/features".replace("s3://", "s3://airloom_lake@")
    with DAG(
        f"sm_nosecret_{uuid.uuid4().hex[:6]}", schedule=None, start_date=datetime(2026, 1, 1)
    ) as dag:
        SageMakerTrainModelOperator(
            task_id="train",
            inputs={"table": table},
            tenant_scope=TenantScope("acme", Grants(connections=frozenset({AWS_CONN_ID}))),
            sagemaker_training=SAGEMAKER.to_document(),
            estimator="logistic_regression",
            target="churned",
            registered_model_name="never_registered",
        )

    result = run_dag_object(dag)

    assert result.task_states == {"train": "failed"}
    assert _error(dag, result)["summary"] == (
        "node 'train': the MLflow connection 'airloom_mlflow' has credentials and the "
        "deployment names no secret the training job could read them from "
        "(SageMakerTraining.mlflow_secret_id)"
    )
    assert not _created_jobs(stand_in)
