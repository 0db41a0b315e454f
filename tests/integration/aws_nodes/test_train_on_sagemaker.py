"""A ``train`` node on MWAA Serverless: compiled to a SageMaker training job, run for real.

The design is compiled to the service's definition with SageMaker training declared, loaded by
dag-factory as the service loads it, and run with ``dag.test()``: the train task writes its
request to the tenant's area of the lake (S3 on moto), creates the training job on the
stand-in (which runs Airloom's entry point on the job's input channels), defers to the
provider's trigger, and publishes the job's result. The model lands in this session's MLflow.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pandas as pd
import pytest
from airflow.sdk import DAG

from airloom import model_tags
from airloom.ml.sagemaker_settings import SageMakerTraining
from airloom.ml.sagemaker_training import (
    SageMakerTrainEmbedderOperator,
    SageMakerTrainModelOperator,
)
from airloom.ml.training import train_model
from airloom.operators.failures import ERROR_KEY
from airloom.retrieval.embedder import fit_embedder
from airloom.tenancy import Grants, TenantScope
from airloom.workflow.serverless.definition import compile_definition
from airloom.workflow.serverless.placement import ServerlessTarget
from tests.harness.airflow import run_dag_object, task_xcom
from tests.harness.aws_stand_ins.server import REGION, StandIn
from tests.harness.servers import RunningServer
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.unit.workflow.test_serverless_definition import load_as_the_service

ROLES = "arn:aws:iam::123456789012:role/airloom-{tenant}-training"
SAGEMAKER = SageMakerTraining(
    image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/airloom-training:test",
    role_arn_pattern=ROLES,
    subnet_ids=("subnet-0a",),
    security_group_ids=("sg-0b",),
    aws_conn_id=AWS_CONN_ID,
    waiter_delay=1,
    waiter_max_attempts=300,
)
TARGET = ServerlessTarget(private_network=True, sagemaker_training=True, sagemaker=SAGEMAKER)
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
CUSTOMERS = pd.DataFrame(
    {
        "tenure": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
        "spend": [90, 85, 80, 70, 75, 60, 55, 50, 40, 45, 30, 35, 20, 25, 10, 15],
        "churned": [1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    }
)

PASSAGES = pd.DataFrame(
    {
        "text": [
            "refunds are paid within five days",
            "a refund needs the order number",
            "parcels ship from the berlin warehouse",
            "shipping to paris takes two days",
            "returns are free within thirty days",
            "the warehouse ships parcels every weekday",
        ]
    }
)


@pytest.fixture
def s3_lake(
    moto: RunningServer,
    stand_in: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    airloom_connections,
    airflow_db,
) -> Iterator[str]:
    """The lake on moto's S3, as on AWS: both the worker's tasks and the job reach it."""
    for name, value in {
        "AWS_ENDPOINT_URL": moto.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=moto.url, region_name=REGION, **KEYS).create_bucket(
        Bucket=bucket
    )
    lake = {"path": f"s3://{bucket}/root", "endpoint_url": moto.url, "region_name": REGION}
    monkeypatch.setenv(
        "AIRFLOW_CONN_AIRLOOM_LAKE",
        json.dumps({"conn_type": "aws", "login": "testing", "password": "testing", "extra": lake}),
    )
    stand_in.reset()
    yield f"s3://{bucket}/root"


def _landed(moto: RunningServer, frame: pd.DataFrame) -> tuple[str, TenantScope]:
    """The customers in a landing bucket granted to tenant acme; its source URI and scope."""
    bucket = f"landing-{uuid.uuid4().hex[:8]}"
    s3 = boto3.client("s3", endpoint_url=moto.url, region_name=REGION, **KEYS)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="customers.csv", Body=frame.to_csv(index=False).encode())
    grants = Grants(
        connections=frozenset({AWS_CONN_ID}), s3_locations={f"s3://{bucket}/": AWS_CONN_ID}
    )
    return f"s3://{bucket}/customers.csv", TenantScope("acme", grants)


def _design(source: str, model: str, target: str = "churned") -> dict[str, Any]:
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": f"churn_{uuid.uuid4().hex[:6]}", "title": "Churn"},
        "defaults": {"retries": 0},
        "nodes": [
            {
                "id": "features",
                "type": "file_ingest",
                "params": {
                    "source": source,
                    "format": "csv",
                    "dataset": "churn/features",
                },
            },
            {
                "id": "train",
                "type": "train",
                "params": {
                    "estimator": "logistic_regression",
                    "target": target,
                    "registered_model_name": model,
                    "experiment": "churn",
                },
            },
        ],
        "edges": [{"source": "features.table", "target": "train.table"}],
    }


def _created_jobs(stand_in: StandIn) -> list[dict[str, Any]]:
    return [body for operation, body in stand_in.bodies if operation == "CreateTrainingJob"]


def test_a_train_node_runs_as_a_sagemaker_job_and_registers_the_tenants_model(
    s3_lake: str, moto: RunningServer, stand_in: StandIn, mlflow: RunningServer
) -> None:
    from mlflow import MlflowClient

    source, scope = _landed(moto, CUSTOMERS)
    model = f"churn_sm_{uuid.uuid4().hex[:6]}"
    definition = compile_definition(
        _design(source, model), workflow_id="wf-1", version=1, scope=scope, target=TARGET
    )
    dag = load_as_the_service(definition.yaml_text)
    assert type(dag.get_task("train")) is SageMakerTrainModelOperator

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    (job,) = _created_jobs(stand_in)
    # The job: the tenant's role, the tenant's input and output prefixes, Airloom's entry point.
    assert job["RoleArn"] == "arn:aws:iam::123456789012:role/airloom-acme-training"
    assert job["TrainingJobName"].startswith("airloom-acme-")
    area = f"{s3_lake}/tenants/acme/"
    uris = [c["DataSource"]["S3DataSource"]["S3Uri"] for c in job["InputDataConfig"]]
    assert uris == [
        f"{area}_airloom/sagemaker/{job['TrainingJobName']}/request/",
        f"{area}churn/features/",
    ]
    assert job["OutputDataConfig"]["S3OutputPath"] == f"{area}_airloom/sagemaker/"
    assert job["VpcConfig"] == {"Subnets": ["subnet-0a"], "SecurityGroupIds": ["sg-0b"]}
    assert job["AlgorithmSpecification"]["ContainerEntrypoint"] == [
        "python",
        "-m",
        "airloom.ml.sagemaker_job",
    ]

    # The same XComs as the local node: the version, and the held-out rows in the lake.
    outputs = result.xcoms["train"]
    assert outputs["model"] == f"models:/{model}/1"
    assert outputs["holdout"].endswith("/tenants/acme/churn/features_holdout")
    client = MlflowClient(tracking_uri=mlflow.url)
    assert client.get_registered_model(model).tags[model_tags.TENANT] == "acme"
    version = client.get_model_version(model, "1")
    assert version.tags[model_tags.WORKFLOW] == dag.dag_id
    assert version.tags[model_tags.AIRFLOW_TASK_ID] == "train"
    # The metrics the local node would log: the same training code on the same rows.
    local = train_model(CUSTOMERS, estimator="logistic_regression", target="churned")
    logged = client.get_run(version.run_id).data.metrics
    assert logged == pytest.approx(local.metrics)
    assert client.get_run(version.run_id).data.params["split.test_rows"] == str(local.test_rows)


def test_a_train_embedder_node_runs_as_a_sagemaker_job_too(
    s3_lake: str, moto: RunningServer, stand_in: StandIn, mlflow: RunningServer
) -> None:
    from mlflow import MlflowClient

    source, scope = _landed(moto, PASSAGES)
    model = f"embedder_sm_{uuid.uuid4().hex[:6]}"
    design = _design(source, model)
    design["nodes"][1] = {
        "id": "embedder",
        "type": "train_embedder",
        "params": {"registered_model_name": model, "dimensions": 4},
    }
    design["edges"] = [{"source": "features.table", "target": "embedder.table"}]
    definition = compile_definition(
        design, workflow_id="wf-2", version=1, scope=scope, target=TARGET
    )
    dag = load_as_the_service(definition.yaml_text)
    assert type(dag.get_task("embedder")) is SageMakerTrainEmbedderOperator

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    (job,) = _created_jobs(stand_in)
    assert job["RoleArn"] == "arn:aws:iam::123456789012:role/airloom-acme-training"
    assert result.xcoms["embedder"] == {"model": f"models:/{model}/1"}
    client = MlflowClient(tracking_uri=mlflow.url)
    assert client.get_registered_model(model).tags[model_tags.TENANT] == "acme"
    version = client.get_model_version(model, "1")
    local = fit_embedder(PASSAGES["text"], 4)
    explained = float(local.named_steps["svd"].explained_variance_ratio_.sum())
    logged = client.get_run(version.run_id).data.metrics
    assert logged == pytest.approx({"explained_variance": explained})


def test_a_job_the_training_code_refuses_fails_its_node_with_the_reason(
    s3_lake: str, moto: RunningServer, stand_in: StandIn, mlflow: RunningServer
) -> None:
    from mlflow import MlflowClient

    source, scope = _landed(moto, CUSTOMERS)
    model = f"churn_bad_{uuid.uuid4().hex[:6]}"
    definition = compile_definition(
        _design(source, model, target="cancelled"),
        workflow_id="wf-1",
        version=1,
        scope=scope,
        target=TARGET,
    )

    dag = load_as_the_service(definition.yaml_text)
    result = run_dag_object(dag)

    assert result.task_states == {"features": "success", "train": "failed"}
    (job,) = _created_jobs(stand_in)
    error = _error(dag, result)
    assert error["summary"] == (
        f"node 'train': SageMaker training job {job['TrainingJobName']} ended Failed: "
        "AlgorithmError: TrainingDataError: target column 'cancelled' is not in the dataset; "
        "columns: ['tenure', 'spend', 'churned', '_source_file']"
    )
    # Nothing registered: the training code refuses before any MLflow run.
    assert not MlflowClient(tracking_uri=mlflow.url).search_registered_models(
        filter_string=f"name = '{model}'"
    )


def test_a_missing_dataset_fails_the_node_before_any_job_and_names_it(
    s3_lake: str, stand_in: StandIn, airflow_db
) -> None:
    missing = f"{s3_lake}/tenants/acme/churn/never_written"
    # As an upstream node names a dataset of the lake (its ObjectStoragePath's URI).
    upstream = missing.replace("s3://", "s3://airloom_lake@")
    with DAG(
        f"sm_missing_{uuid.uuid4().hex[:6]}", schedule=None, start_date=datetime(2026, 1, 1)
    ) as dag:
        SageMakerTrainModelOperator(
            task_id="train",
            inputs={"table": upstream},
            tenant_scope=TenantScope("acme", Grants()),
            sagemaker_training=SAGEMAKER.to_document(),
            estimator="logistic_regression",
            target="churned",
            registered_model_name="never_registered",
        )

    result = run_dag_object(dag)

    assert result.task_states == {"train": "failed"}
    assert _error(dag, result)["summary"].endswith(
        f"was not created: its input {missing}/ holds no objects"
    )
    assert not _created_jobs(stand_in)  # nothing started, nothing billed


def test_another_tenants_dataset_is_refused_before_any_job(
    s3_lake: str, moto: RunningServer, stand_in: StandIn, airflow_db
) -> None:
    foreign = f"{s3_lake}/tenants/globex/churn/features".replace("s3://", "s3://airloom_lake@")
    with DAG(
        f"sm_foreign_{uuid.uuid4().hex[:6]}", schedule=None, start_date=datetime(2026, 1, 1)
    ) as dag:
        SageMakerTrainModelOperator(
            task_id="train",
            inputs={"table": foreign},
            tenant_scope=TenantScope("acme", Grants()),
            sagemaker_training=SAGEMAKER.to_document(),
            estimator="logistic_regression",
            target="churned",
            registered_model_name="never_registered",
        )
    result = run_dag_object(dag)

    assert result.task_states == {"train": "failed"}
    assert "outside the lake area of tenant 'acme'" in _error(dag, result)["summary"]
    assert not _created_jobs(stand_in)


def _error(dag: Any, result: Any) -> dict[str, Any]:
    """The failure summary the train node left for the builder."""
    return task_xcom(dag.dag_id, result.run_id, "train", ERROR_KEY)
