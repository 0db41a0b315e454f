"""MWAA Serverless: training nodes placed on SageMaker training jobs when the deployment says so.

Definitions are loaded as the service loads them (dag-factory), so the tests see the task the
worker would run: the SageMaker redirect of the node, with the tenant's scope and the
deployment's SageMaker setup, and nothing a designer could have written.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from airloom.ml.sagemaker_job import main as run_job
from airloom.ml.sagemaker_settings import SageMakerTraining
from airloom.ml.sagemaker_training import (
    SageMakerTrainEmbedderOperator,
    SageMakerTrainModelOperator,
)
from airloom.workflow.problems import InvalidWorkflow
from airloom.workflow.serverless.definition import compile_definition
from airloom.workflow.serverless.schema_rules import definition_problems
from tests.unit.workflow.test_serverless_definition import (
    CONFIGURED,
    EXPECTED_ON_CONFIGURED,
    UNREACHABLE,
    load_as_the_service,
    scope_for,
    template_spec,
)

SAGEMAKER = SageMakerTraining(
    image_uri="123456789012.dkr.ecr.eu-west-1.amazonaws.com/airloom-training:1.4.0",
    role_arn_pattern="arn:aws:iam::123456789012:role/airloom-{tenant}-training",
    subnet_ids=("subnet-0a",),
    security_group_ids=("sg-0b",),
)
WITH_SAGEMAKER = dataclasses.replace(CONFIGURED, sagemaker_training=True, sagemaker=SAGEMAKER)
# The templates whose only blockers were their training nodes: they compile now.
TRAINING_ONLY = sorted(
    template
    for template, problems in EXPECTED_ON_CONFIGURED.items()
    if {node for node, _ in problems} <= {"train", "embedder"}
)
TRAINING_NODES = {"train": SageMakerTrainModelOperator, "embedder": SageMakerTrainEmbedderOperator}


def test_the_templates_held_back_only_by_training_are_the_six_expected() -> None:
    assert TRAINING_ONLY == [
        "customer-churn",
        "document-retrieval",
        "document-retrieval-aws",
        "retail-demand-forecast",
        "support-analytics",
        "support-analytics-aws",
    ]


@pytest.mark.parametrize("template_id", TRAINING_ONLY)
def test_a_training_node_compiles_to_a_sagemaker_training_job_of_its_tenant(
    template_id: str,
) -> None:
    definition = compile_definition(
        template_spec(template_id),
        workflow_id="wf-1",
        version=1,
        scope=scope_for(),
        target=WITH_SAGEMAKER,
    )
    assert definition_problems(definition.yaml_text) == []
    dag = load_as_the_service(definition.yaml_text)
    (node_id,) = set(TRAINING_NODES) & set(dag.task_ids)
    task = dag.get_task(node_id)
    assert type(task) is TRAINING_NODES[node_id]
    assert task.tenant_scope == scope_for()
    assert task.sagemaker_training == SAGEMAKER
    assert task.sagemaker_training.role_arn("acme") == (
        "arn:aws:iam::123456789012:role/airloom-acme-training"
    )
    # The node's params are the local node's, placed in the tenant's area.
    assert task.node_params["experiment"].startswith("tenants/acme/")
    # Only the training node moves: every other task runs the operator of its type.
    written = yaml.safe_load(definition.yaml_text)[definition.dag_id]["tasks"]
    assert [t for t, body in written.items() if "sagemaker_training" in body] == [node_id]


def test_without_sagemaker_training_the_node_says_what_the_deployment_lacks() -> None:
    with pytest.raises(InvalidWorkflow) as refused:
        compile_definition(
            template_spec("customer-churn"),
            workflow_id="wf-1",
            version=1,
            scope=scope_for(),
            target=CONFIGURED,
        )
    (problem,) = refused.value.problems
    assert (problem.code, problem.node_id, problem.field) == (UNREACHABLE, "train", "type")
    assert "does not declare SageMaker training" in problem.message
    assert "serverless_sagemaker_training" in problem.message


def test_a_sagemaker_job_outside_the_vpc_could_not_reach_mlflow() -> None:
    outside = dataclasses.replace(WITH_SAGEMAKER, private_network=False)
    with pytest.raises(InvalidWorkflow) as refused:
        compile_definition(
            template_spec("document-retrieval"),
            workflow_id="wf-1",
            version=1,
            scope=scope_for(),
            target=outside,
        )
    embedder = [p for p in refused.value.problems if p.node_id == "embedder"]
    assert [p.code for p in embedder] == [UNREACHABLE]
    assert "VPC" in embedder[0].message


def test_each_tenant_gets_its_own_role_and_no_setting_comes_from_the_design() -> None:
    acme = compile_definition(
        template_spec("customer-churn"),
        workflow_id="wf-1",
        version=1,
        scope=scope_for("acme"),
        target=WITH_SAGEMAKER,
    )
    globex = compile_definition(
        template_spec("customer-churn", tenant="globex"),
        workflow_id="wf-1",
        version=1,
        scope=scope_for("globex"),
        target=WITH_SAGEMAKER,
    )
    acme_task = load_as_the_service(acme.yaml_text).get_task("train")
    globex_task = load_as_the_service(globex.yaml_text).get_task("train")
    assert acme_task.sagemaker_training.role_arn(acme_task.tenant_scope.tenant).endswith(
        "/airloom-acme-training"
    )
    assert globex_task.sagemaker_training.role_arn(globex_task.tenant_scope.tenant).endswith(
        "/airloom-globex-training"
    )
    # A design naming the setting as a param is refused by the node's params model.
    spec = template_spec("customer-churn")
    train = next(node for node in spec["nodes"] if node["id"] == "train")
    train["params"]["sagemaker_training"] = {"role_arn_pattern": "arn:aws:iam::1:role/x"}
    with pytest.raises(InvalidWorkflow) as refused:
        compile_definition(
            spec, workflow_id="wf-1", version=1, scope=scope_for(), target=WITH_SAGEMAKER
        )
    assert [(p.node_id, p.field, p.message) for p in refused.value.problems] == [
        ("train", "nodes.3.params.sagemaker_training", "Extra inputs are not permitted")
    ]


def test_settings_that_could_not_run_a_job_are_refused() -> None:
    with pytest.raises(ValueError, match="SageMaker setup"):
        dataclasses.replace(CONFIGURED, sagemaker_training=True)
    with pytest.raises(ValueError, match=r"\{tenant\} once"):
        dataclasses.replace(SAGEMAKER, role_arn_pattern="arn:aws:iam::123456789012:role/shared")
    with pytest.raises(ValueError, match="instance type"):
        dataclasses.replace(SAGEMAKER, instance_type="m5.large")


def test_the_job_refuses_a_request_reaching_outside_its_tenant(tmp_path: Path) -> None:
    request = tmp_path / "input" / "data" / "request" / "request.json"
    request.parent.mkdir(parents=True)
    request.write_text(
        json.dumps(
            {
                "kind": "train",
                "node": "train",
                "tenant": "acme",
                "params": {},
                "dataset_uri": "s3://lake/data/tenants/globex/features",
                "holdout_uri": "s3://lake/data/tenants/acme/features_holdout",
                "lake_root": "s3://lake/data",
                "tracking_uri": "http://127.0.0.1:1",
            }
        )
    )
    assert run_job(root=tmp_path) == 1
    failure = (tmp_path / "output" / "failure").read_text()
    assert failure == (
        "JobRequestError: s3://lake/data/tenants/globex/features is outside the lake area of "
        "tenant 'acme'"
    )
    assert not (tmp_path / "model").exists()  # no result: nothing registered


def test_every_template_compiles_where_the_deployment_declares_sagemaker_and_glue_streaming() -> (
    None
):
    """A full AWS deployment (VPC, MSK, EMR Serverless, SageMaker training, Glue streaming):
    every shipped template becomes a definition within the service's rules, which the
    service's loader builds into the same tasks."""
    from tests.unit.workflow.test_serverless_glue_streaming import SETUP

    everything = dataclasses.replace(
        WITH_SAGEMAKER, spark_stream_on_glue=True, glue_streaming=SETUP
    )
    for template_id in EXPECTED_ON_CONFIGURED:
        definition = compile_definition(
            template_spec(template_id),
            workflow_id="wf-1",
            version=1,
            scope=scope_for(),
            target=everything,
        )
        assert definition_problems(definition.yaml_text) == [], template_id
        dag = load_as_the_service(definition.yaml_text)
        assert set(dag.task_ids) == set(definition.task_ids), template_id


def test_each_tenants_job_is_told_its_own_mlflow_secret_and_never_its_value() -> None:
    per_tenant = dataclasses.replace(
        SAGEMAKER, mlflow_secret_id="airflow/connections/mlflow_{tenant}"
    )
    target = dataclasses.replace(WITH_SAGEMAKER, sagemaker=per_tenant)
    environments = {}
    for tenant in ("acme", "globex"):
        definition = compile_definition(
            template_spec("customer-churn", tenant=tenant),
            workflow_id="wf-1",
            version=1,
            scope=scope_for(tenant),
            target=target,
        )
        task = load_as_the_service(definition.yaml_text).get_task("train")
        config = task.job_config(
            "airloom-x-1", task.tenant_scope.tenant, "s3://l/r/", "s3://l/d", "s3://l/"
        )
        environments[tenant] = config["Environment"]
    assert environments == {
        "acme": {"AIRLOOM_MLFLOW_SECRET_ID": "airflow/connections/mlflow_acme"},
        "globex": {"AIRLOOM_MLFLOW_SECRET_ID": "airflow/connections/mlflow_globex"},
    }
    # Without the setting the job is given nothing, and a bad secret id is refused.
    task = load_as_the_service(
        compile_definition(
            template_spec("customer-churn"),
            workflow_id="wf-1",
            version=1,
            scope=scope_for(),
            target=WITH_SAGEMAKER,
        ).yaml_text
    ).get_task("train")
    assert "Environment" not in task.job_config(
        "airloom-x-1", "acme", "s3://l/r/", "s3://l/d", "s3://l/"
    )
    with pytest.raises(ValueError, match=r"MLflow connection's secret .* \{tenant\} at most once"):
        dataclasses.replace(SAGEMAKER, mlflow_secret_id="mlflow_{tenant}_{tenant}")


def test_the_job_takes_sagemakers_train_argument_and_refuses_any_other(tmp_path: Path) -> None:
    assert run_job(["serve"], root=tmp_path) == 1
    assert (tmp_path / "output" / "failure").read_text() == (
        "JobRequestError: the job takes no argument but 'train': ['serve']"
    )
    # `train` (docker run <image> train) gets as far as the request, which is missing here.
    assert run_job(["train"], root=tmp_path / "other") == 1
    assert "request.json" in (tmp_path / "other" / "output" / "failure").read_text()
