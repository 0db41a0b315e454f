"""A model trained by a tenant's workflow is listed with what its workflow says about it.

The train node runs in a real DAG run for a tenant, against the session's MLflow; a deployment
then records its audit trail on the registered model through the registry target, as every
deployment does; the marketplace syncs the real registry. The listing shows the description,
task, industry, licence and owner the node wrote, and none of Airloom's own records as tags.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from airflow.sdk import DAG
from mlflow import MlflowClient

from airloom import model_tags
from airloom.deploy import get_target
from airloom.operators.mlflow import TrainModelOperator
from airloom.tenancy import TenantScope
from tests.harness.airflow import run_dag_object
from tests.integration.operators.ml_data import churn, write_dataset

TENANT = "acme_listing"
MODEL = "listing_churn"
LISTING = {
    "description": "Predicts which subscribers cancel next month, from tenure and spend.",
    "task": "classification",
    "industry": "subscriptions",
    "licence": "Apache-2.0",
    "owner": "Retention analytics",
}


def test_the_listing_shows_what_training_wrote_and_no_internal_records(
    airflow_db, airloom_connections, mlflow, lake: Path, marketplace
) -> None:
    features = write_dataset(lake, f"tenants/{TENANT}/listing/features", churn())
    with DAG("test_listing_from_training", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        TrainModelOperator(
            task_id="train",
            inputs={"table": features},
            estimator="logistic_regression",
            target="churned",
            feature_columns=["tenure", "spend", "noise"],
            registered_model_name=MODEL,
            tags={"team": "retention"},
            listing=LISTING,
            tenant_scope=TenantScope(TENANT),
        )
    result = run_dag_object(dag)
    assert result.task_states == {"train": "success"}, result
    reference = result.xcoms["train"]["model"]

    # A deployment records its audit trail on the registered model and the version.
    registry = get_target("registry", tracking_uri=mlflow.url, registry_uri=mlflow.url)
    registry.create_deployment(
        MODEL, reference, config={"deployed_by": "ann@acme", "reason": "zanzibar rollout"}
    )
    client = MlflowClient(mlflow.url)
    recorded = client.get_registered_model(MODEL).tags
    assert any(key.startswith(model_tags.DEPLOYMENT_EVENT_PREFIX) for key in recorded)
    # A person adds a tag of their own in MLflow.
    client.set_registered_model_tag(MODEL, "cost_centre", "cx-42")

    marketplace.sync()
    headers = marketplace.key(TENANT)
    listing = marketplace.client.get(f"/api/v1/models/{MODEL}", headers=headers).json()

    assert {field: listing[field] for field in LISTING} == LISTING
    assert listing["tags"] == {"cost_centre": "cx-42"}
    assert listing["aliases"] == {"champion": 1}
    version = marketplace.client.get(f"/api/v1/models/{MODEL}/versions/1", headers=headers)
    assert version.json()["tags"] == {"team": "retention"}
    assert version.json()["lineage"]["workflow"] == "test_listing_from_training"

    # Search finds it by its listing fields and facets count them; records are not searched.
    search = marketplace.client.get(
        "/api/v1/models", params={"q": "retention analytics"}, headers=headers
    ).json()
    assert [item["name"] for item in search["items"]] == [MODEL]
    assert search["facets"]["task"] == {"classification": 1}
    assert search["facets"]["industry"] == {"subscriptions": 1}
    assert search["facets"]["licence"] == {"Apache-2.0": 1}
    assert search["facets"]["owner"] == {"Retention analytics": 1}
    found = marketplace.client.get("/api/v1/models", params={"q": "zanzibar"}, headers=headers)
    assert found.json()["total"] == 0

    card = marketplace.client.get(f"/api/v1/models/{MODEL}/card.md", headers=headers).text
    assert "Predicts which subscribers cancel next month" in card
    assert "| Licence | Apache-2.0 |" in card and "| Owner | Retention analytics |" in card
