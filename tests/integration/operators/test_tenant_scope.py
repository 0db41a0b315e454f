"""A tenant's nodes refuse, in a real DAG run, what validation could not know about.

Who owns a registered model or a lake URI is decided when the task runs; here each node runs
for tenant ``acme`` against the session's real MLflow and lake, and every refusal happens
before the model, the endpoint or the data is touched.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from airflow.sdk import DAG
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression

from airloom import model_tags
from airloom.operators.batch_score import BatchScoreOperator
from airloom.operators.deploy import DeployModelOperator
from airloom.operators.mlflow import TrainModelOperator
from airloom.tenancy import TenantScope
from tests.harness.airflow import run_dag_object
from tests.integration.operators.ml_data import churn, register_version, write_dataset

ACME = TenantScope("acme")
FEATURES = ["tenure", "spend", "noise"]


def foreign_model(mlflow_url: str, name: str) -> str:
    """A model another tenant owns, with one version."""
    frame = churn(seed=5)
    model = LogisticRegression().fit(frame[FEATURES], frame["churned"])
    register_version(mlflow_url, name, model, frame[FEATURES], alias="champion")
    MlflowClient(mlflow_url).set_registered_model_tag(name, model_tags.TENANT, "victim")
    return f"models:/{name}/1"


def test_a_tenants_nodes_touch_only_its_own_models_and_tables(
    airflow_db, airloom_connections, mlflow, lake: Path, capfd
) -> None:
    client = MlflowClient(mlflow.url)
    victims = foreign_model(mlflow.url, "scope-victim-churn")
    own = write_dataset(lake, "tenants/acme/scope/features", churn())
    outside = write_dataset(lake, "scope/victim_features", churn())
    with DAG("test_tenant_scope", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        common = {"estimator": "logistic_regression", "target": "churned",
                  "feature_columns": FEATURES, "tenant_scope": ACME}  # fmt: skip
        TrainModelOperator(task_id="train_own", inputs={"table": own},
                           registered_model_name="scope-acme-churn", **common)  # fmt: skip
        TrainModelOperator(task_id="train_into_victims", inputs={"table": own},
                           registered_model_name="scope-victim-churn",
                           listing={"description": "Ours now", "owner": "acme"},
                           **common)  # fmt: skip
        TrainModelOperator(task_id="train_on_victims_data", inputs={"table": outside},
                           registered_model_name="scope-acme-other", **common)  # fmt: skip
        DeployModelOperator(task_id="promote_victims", inputs={"model": victims},
                            target="registry", tenant_scope=ACME)  # fmt: skip
        BatchScoreOperator(task_id="score_with_victims", inputs={"table": own},
                           model_uri="models:/scope-victim-churn@champion",
                           output_dataset="scope/scored", tenant_scope=ACME)  # fmt: skip
    result = run_dag_object(dag)

    assert result.task_states == {
        "train_own": "success",
        "train_into_victims": "failed",
        "train_on_victims_data": "failed",
        "promote_victims": "failed",
        "score_with_victims": "failed",
    }
    logs = capfd.readouterr()
    text = logs.out + logs.err
    assert "registered model 'scope-victim-churn' belongs to another tenant" in text
    assert "is outside the lake area of tenant 'acme'" in text
    # The tenant's own model is tagged as its tenant's at creation.
    assert client.get_registered_model("scope-acme-churn").tags[model_tags.TENANT] == "acme"
    # The victim's model gained no version nor listing, its champion did not move, nothing
    # was scored.
    victim = client.get_registered_model("scope-victim-churn")
    assert not victim.description and model_tags.OWNER not in victim.tags  # listing not written
    versions = client.search_model_versions("name = 'scope-victim-churn'")
    assert [v.version for v in versions] == ["1"]
    assert client.get_model_version_by_alias("scope-victim-churn", "champion").version == "1"
    assert not client.search_registered_models("name = 'scope-acme-other'")
    assert not (lake / "tenants/acme/scope/scored").exists()
    # The holdout went to the tenant's area, beside its input.
    assert (lake / "tenants/acme/scope/features_holdout").is_dir()
