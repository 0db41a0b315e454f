"""Model cards (JSON, Markdown, HTML) and side-by-side comparison of versions."""

from __future__ import annotations

import pytest

from airloom import model_tags
from tests.integration.marketplace.models import register_model

TENANT = "acme-cards"
TAGS = {model_tags.TENANT: TENANT, model_tags.LICENCE: "MIT", model_tags.TASK: "classification"}
# What the pipeline records on versions: each has a field of its own on the card.
RECORDS = {
    model_tags.WORKFLOW: "customer_churn",
    model_tags.EVALUATION_STATUS: "passed",
    model_tags.EVALUATION_REPORT: "runs:/r1/evaluation/report.json",
    model_tags.DEPLOYED_BY: "ann@acme",
}


@pytest.fixture(scope="module")
def models(mlflow, marketplace) -> dict[str, str]:
    description = "Flags churn risk <script>alert('x')</script> for | retention teams"
    for auc in (0.80, 0.88):
        register_model(
            mlflow.url,
            "cards_churn",
            metrics={"roc_auc": auc, "log_loss": 1 - auc},
            model_tags=TAGS | {model_tags.OWNER: "Retention analytics"},
            version_tags=RECORDS | {"reviewed_by": "bob"},
            description=description,
        )
    register_model(
        mlflow.url, "cards_other_columns", metrics={"roc_auc": 0.9}, model_tags=TAGS,
        features=("age", "spend"),
    )  # fmt: skip
    register_model(mlflow.url, "cards_bare", model_tags=TAGS, with_example=False)
    marketplace.sync()
    return marketplace.key(TENANT)


def test_the_json_card_carries_metrics_signature_licence_and_lineage(marketplace, models):
    card = marketplace.client.get("/api/v1/models/cards_churn/card", headers=models).json()

    assert (card["name"], card["version"]) == ("cards_churn", 2)
    assert card["licence"] == "MIT" and card["task"] == "classification"
    assert card["owner"] == "Retention analytics"
    assert card["tags"] == {"reviewed_by": "bob"}
    assert card["evaluation"]["status"] == "passed"
    assert card["metrics"]["roc_auc"] == 0.88
    assert [field["name"] for field in card["signature"]["inputs"]] == ["tenure", "spend"]
    assert card["lineage"]["run_id"]
    assert card["validation"] is None

    older = marketplace.client.get(
        "/api/v1/models/cards_churn/card", params={"version": 1}, headers=models
    ).json()
    assert older["version"] == 1 and older["metrics"]["roc_auc"] == 0.80


def test_the_markdown_card_renders_tables_and_escapes_user_text(marketplace, models) -> None:
    response = marketplace.client.get("/api/v1/models/cards_churn/card.md", headers=models)

    assert response.headers["content-type"].startswith("text/markdown")
    text = response.text
    assert text.startswith("# cards\\_churn — version 2")
    assert "| roc_auc | 0.88 |" in text.replace("\\_", "_")
    assert "| input | tenure | double | yes |" in text
    assert "\\| retention teams" in text  # a pipe in a description cannot break the table
    assert "_Not validated yet._" in text
    assert "| Owner | Retention analytics |" in text
    assert "**Tags:** reviewed\\_by=bob" in text
    assert "Evaluation against the champion: **passed**" in text
    assert "airloom" not in text.replace("\\", "")  # no record shown as a tag


def test_the_html_card_never_runs_html_from_a_description(marketplace, models) -> None:
    response = marketplace.client.get("/api/v1/models/cards_churn/card.html", headers=models)

    assert response.headers["content-type"].startswith("text/html")
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text
    assert "<table>" in response.text and "<td>roc_auc</td>" in response.text


def test_comparing_versions_shows_metrics_best_values_and_signature_compatibility(
    marketplace, models
) -> None:
    body = {
        "versions": [
            {"name": "cards_churn", "version": 2},
            {"name": "cards_churn", "version": 1},
            {"name": "cards_other_columns", "version": 1},
            {"name": "cards_bare", "version": 1},
        ]
    }
    response = marketplace.client.post("/api/v1/compare", json=body, headers=models)

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["metrics"]["roc_auc"] == [0.88, 0.80, 0.9, None]
    assert result["best"] == {"roc_auc": 2, "log_loss": 0}  # higher AUC, lower loss
    verdicts = [item["verdict"] for item in result["signature_compatibility"]]
    assert verdicts == ["identical", "identical", "incompatible", "unknown"]
    reasons = result["signature_compatibility"][2]["reasons"]
    assert "input 'age' is required but the baseline has no such input" in reasons
    versions = result["versions"]
    assert all(item["size_bytes"] > 0 for item in versions)
    assert [item["validation_status"] for item in versions] == ["not_run"] * 4
    assert versions[0]["benchmark"] is None


@pytest.mark.parametrize(
    ("versions", "message"),
    [
        ([{"name": "cards_churn", "version": 1}], "at least 2 items"),
        ([{"name": "cards_churn", "version": 1}] * 2, "only once"),
        ([{"name": "cards_churn", "version": n} for n in range(1, 7)], "at most 5 items"),
    ],
)
def test_a_comparison_needs_two_to_five_distinct_versions(
    marketplace, models, versions, message
) -> None:
    response = marketplace.client.post(
        "/api/v1/compare", json={"versions": versions}, headers=models
    )

    assert response.status_code == 422
    assert message in str(response.json()["detail"])
