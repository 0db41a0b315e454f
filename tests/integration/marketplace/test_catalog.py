"""The catalog mirrors MLflow's registry: listings, versions, lineage, changes and deletions."""

from __future__ import annotations

import pytest
from mlflow import MlflowClient

from airloom import model_tags
from tests.integration.marketplace.conftest import eventually
from tests.integration.marketplace.models import register_model

TENANT = "acme-catalog"
LISTING_TAGS = {
    model_tags.TENANT: TENANT,
    model_tags.TASK: "classification",
    model_tags.INDUSTRY: "telecom",
    model_tags.LICENCE: "Apache-2.0",
    model_tags.OWNER: "data-science@acme.example",
    "team": "retention",
    # A deployment's audit record, as the registry keeps it: history, never a listing tag.
    f"{model_tags.DEPLOYMENT_EVENT_PREFIX}20261123T101500000000Z": (
        '{"action": "promote", "version": "1", "deployed_by": "ann", "reason": "first"}'
    ),
}


@pytest.fixture(scope="module")
def registry(mlflow) -> MlflowClient:
    return MlflowClient(tracking_uri=mlflow.url, registry_uri=mlflow.url)


@pytest.fixture(scope="module")
def churn(mlflow, registry) -> str:
    """Two versions of a churn model, registered the way the train operator does."""
    name = "catalog_churn"
    lineage = {
        model_tags.WORKFLOW: "customer_churn",
        model_tags.WORKFLOW_VERSION: "4",
        model_tags.AIRFLOW_RUN_ID: "manual__2026-11-23",
        model_tags.DATASET: "airloom://lake/churn/features",
        model_tags.EVALUATION_STATUS: "passed",
        model_tags.EVALUATION_REPORT: "runs:/abc/evaluation/report.json",
        model_tags.VALIDATION_STATUS: "passed",
        model_tags.VALIDATION_REPORT: '{"checks": []}',
        "reviewed_by": "ann",
    }
    for auc in (0.81, 0.86):
        register_model(
            mlflow.url,
            name,
            metrics={"roc_auc": auc, "accuracy": 0.8},
            model_tags=LISTING_TAGS,
            version_tags=lineage,
            description="Predicts which subscribers cancel next month.",
            dataset_name="churn_features",
        )
    return name


def _get(marketplace, path: str, headers: dict[str, str]):
    return marketplace.client.get(f"/api/v1{path}", headers=headers)


def test_a_registered_model_is_listed_with_card_fields_versions_and_lineage(
    marketplace, churn
) -> None:
    headers = marketplace.key(TENANT)
    marketplace.sync()

    listing = _get(marketplace, f"/models/{churn}", headers).json()

    assert listing["description"] == "Predicts which subscribers cancel next month."
    assert (listing["task"], listing["industry"]) == ("classification", "telecom")
    assert (listing["licence"], listing["owner"]) == ("Apache-2.0", "data-science@acme.example")
    assert listing["framework"] == "sklearn"
    # Only the tags people set: the listing fields, tenant and deployment records are not.
    assert listing["tags"] == {"team": "retention"}
    assert [v["version"] for v in listing["versions"]] == [1, 2]
    assert listing["headline_version"] == 2 and listing["latest_version"] == 2
    assert listing["metrics"] == {"roc_auc": 0.86, "accuracy": 0.8}
    assert [field["name"] for field in listing["signature"]["inputs"]] == ["tenure", "spend"]
    lineage = listing["lineage"]
    assert lineage["workflow"] == "customer_churn" and lineage["workflow_version"] == "4"
    assert lineage["dataset"] == "airloom://lake/churn/features"
    assert lineage["datasets"][0]["name"] == "churn_features"
    assert lineage["datasets"][0]["context"] == "training"
    assert lineage["run_id"]

    version = _get(marketplace, f"/models/{churn}/versions/1", headers).json()
    assert version["metrics"]["roc_auc"] == 0.81
    assert version["flavors"] == ["python_function", "sklearn"]
    assert version["size_bytes"] > 0
    # The logged request itself, so a try-it form can start from a real row.
    example = version["input_example"]["dataframe_split"]
    assert example["columns"] == ["tenure", "spend"]
    assert len(example["data"]) == 3 and all(len(row) == 2 for row in example["data"])
    assert version["validation_status"] == "passed"
    # The version's records have fields of their own; its tags are the ones people set.
    assert version["tags"] == {"reviewed_by": "ann"}
    assert version["evaluation"] == {
        "status": "passed",
        "report": "runs:/abc/evaluation/report.json",
    }
    assert version["lineage"]["workflow"] == "customer_churn"

    # The records are not searchable text either: only what people wrote is.
    assert _get(marketplace, "/models?q=retention", headers).json()["total"] == 1
    assert _get(marketplace, "/models?q=promote", headers).json()["total"] == 0


def test_a_model_registered_straight_through_mlflow_appears_within_seconds(
    marketplace, mlflow
) -> None:
    headers = marketplace.key(TENANT)
    register_model(mlflow.url, "catalog_walk_in", model_tags={model_tags.TENANT: TENANT})

    def listed() -> bool:
        body = _get(marketplace, "/models?q=walk_in", headers).json()
        return [item["name"] for item in body["items"]] == ["catalog_walk_in"]

    eventually(listed, timeout=20)  # the background sync runs every 0.5 s here


def test_moving_the_champion_alias_changes_the_headline_without_a_new_version(
    marketplace, registry, churn
) -> None:
    headers = marketplace.key(TENANT)
    registry.set_registered_model_alias(churn, "champion", "1")
    try:

        def headline_is_champion() -> dict | None:
            body = _get(marketplace, f"/models/{churn}", headers).json()
            return body if body["headline_version"] == 1 else None

        listing = eventually(headline_is_champion)
        assert listing["aliases"] == {"champion": 1}
        assert listing["metrics"]["roc_auc"] == 0.81
        assert listing["versions"][0]["aliases"] == ["champion"]
    finally:
        registry.delete_registered_model_alias(churn, "champion")


def test_a_model_deleted_in_mlflow_disappears_from_the_catalog(marketplace, mlflow, registry):
    headers = marketplace.key(TENANT)
    register_model(mlflow.url, "catalog_doomed", model_tags={model_tags.TENANT: TENANT})
    marketplace.sync()
    assert _get(marketplace, "/models/catalog_doomed", headers).status_code == 200

    registry.delete_registered_model("catalog_doomed")

    eventually(lambda: _get(marketplace, "/models/catalog_doomed", headers).status_code == 404)


def test_unknown_models_and_versions_answer_404_with_a_clear_body(marketplace, churn) -> None:
    headers = marketplace.key(TENANT)
    marketplace.sync()

    missing = _get(marketplace, "/models/no_such_model", headers)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "model 'no_such_model' not found", "code": "not_found"}

    no_version = _get(marketplace, f"/models/{churn}/versions/9", headers)
    assert no_version.status_code == 404
    assert "has no version 9 (versions: 1, 2)" in no_version.json()["detail"]

    bad_version = _get(marketplace, f"/models/{churn}/versions/latest", headers)
    assert bad_version.status_code == 422
    assert bad_version.json()["code"] == "invalid_input"


def test_models_without_a_tenant_tag_belong_to_the_default_tenant(marketplace, mlflow) -> None:
    register_model(mlflow.url, "catalog_untagged")
    marketplace.sync()

    default = _get(marketplace, "/models/catalog_untagged", marketplace.key("default"))
    other = _get(marketplace, "/models/catalog_untagged", marketplace.key(TENANT))

    assert default.status_code == 200
    assert other.status_code == 404
