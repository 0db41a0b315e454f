"""The customer_churn DAG end to end: demo events on a real broker to a promoted model.

The demo events carry a real but imperfect signal, so the model scores as real churn models do
and a retrained one on fresh customers is judged against the champion on its merits.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from confluent_kafka import Consumer
from mlflow import MlflowClient

from airloom import model_tags
from airloom.datasets import read_table
from airloom_cli.demo.churn import customer_events
from airloom_cli.demo.publish import CHURN_TOPIC, _produce
from tests.harness.airflow import run_dag
from tests.harness.spark import use_local_spark


@pytest.fixture(scope="module", autouse=True)
def local_spark() -> None:
    use_local_spark()


def dead_letters(bootstrap: str, expected: int) -> list:
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "dlq-check", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([f"{CHURN_TOPIC}.dlq"])
    found: list = []
    try:
        for _ in range(60):
            found += [m for m in consumer.consume(500, timeout=1.0) if not m.error()]
            if len(found) >= expected:
                break
    finally:
        consumer.close()
    return found


END = datetime(2026, 6, 1, tzinfo=UTC)  # fixed, so the features and the scores repeat
CUSTOMERS = 400


def evaluation_report(client: MlflowClient, version, tmp_path: Path) -> dict:
    """The report the evaluate task wrote for ``version``."""
    uri = version.tags["airloom.evaluation.report"]  # runs:/<run id>/evaluation/report.json
    run_id, _, artifact = uri.removeprefix("runs:/").partition("/")
    return json.loads(Path(client.download_artifacts(run_id, artifact, str(tmp_path))).read_text())


def test_events_become_a_promoted_churn_model(
    airflow_db, airloom_connections, own_broker, mlflow, lake: Path, tmp_path: Path
) -> None:
    records = list(customer_events(customers=CUSTOMERS, seed=21, end=END))
    _produce(own_broker.url, CHURN_TOPIC, ((r.key, r.value) for r in records))
    malformed = sum(r.malformed for r in records)

    result = run_dag("customer_churn")

    assert result.succeeded, result.task_states
    ingested = read_table((lake / "churn" / "events").as_uri())
    assert ingested.num_rows == len(records) - malformed
    offsets = list(
        zip(
            ingested["_kafka_partition"].to_pylist(),
            ingested["_kafka_offset"].to_pylist(),
            strict=True,
        )
    )
    assert len(set(offsets)) == len(offsets)  # no record twice

    letters = dead_letters(own_broker.url, malformed)
    assert len(letters) == malformed
    reasons = [dict(m.headers() or [])["airloom.reason"].decode() for m in letters]
    assert any("not JSON" in reason for reason in reasons)
    assert any("customer_id" in reason for reason in reasons)
    quarantine = read_table((lake / "churn" / "events_quarantine").as_uri())
    assert quarantine.num_rows == malformed

    features = read_table((lake / "churn" / "customer_features_validated").as_uri())
    assert features.num_rows == CUSTOMERS
    client = MlflowClient(mlflow.url)
    champion = client.get_model_version_by_alias("customer_churn", "champion")
    assert champion.tags["airloom.workflow"] == "customer_churn"
    assert champion.tags["airloom.dataset"].endswith("churn/customer_features_validated")
    # The marketplace lists the registered model with what the DAG says about it.
    registered = client.get_registered_model("customer_churn")
    assert registered.description.startswith("Predicts which subscribers will cancel")
    assert {key: registered.tags[key] for key in model_tags.LISTING} == {
        model_tags.TASK: "classification",
        model_tags.INDUSTRY: "subscriptions",
        model_tags.LICENCE: "Apache-2.0",
        model_tags.OWNER: "Customer retention analytics",
    }
    run = client.get_run(champion.run_id)
    metrics = {name: run.data.metrics[name] for name in ("accuracy", "f1", "precision", "recall")}
    # Where real churn models land: clearly better than chance, far from perfect.
    assert 0.75 <= run.data.metrics["roc_auc"] <= 0.95, run.data.metrics
    assert all(0.3 < value < 0.97 for value in metrics.values()), metrics
    # Evaluation scored the customers training held out: about one in five, none trained on.
    holdout = read_table((lake / "churn" / "holdout").as_uri())
    assert holdout.num_rows == int(run.data.params["split.test_rows"])
    assert 0.12 * CUSTOMERS <= holdout.num_rows <= 0.28 * CUSTOMERS
    assert holdout.num_rows + int(run.data.params["split.train_rows"]) == CUSTOMERS

    # The marketplace validates a version before it deploys it, with the default thresholds:
    # the imperfect champion passes them, its metrics included.
    validated = run_dag(
        "model_validation", {"model_name": "customer_churn", "version": int(champion.version)}
    )
    assert validated.succeeded, validated.task_states
    tags = client.get_model_version("customer_churn", champion.version).tags
    checks = {c["name"]: c for c in json.loads(tags[model_tags.VALIDATION_REPORT])["checks"]}
    assert checks["metric_thresholds"]["passed"], checks["metric_thresholds"]
    assert "roc_auc=" in checks["metric_thresholds"]["detail"], checks["metric_thresholds"]

    # Fresh customers arrive; the retrained model faces the champion on customers neither saw.
    fresh = customer_events(customers=CUSTOMERS, seed=22, end=END, first_id=CUSTOMERS)
    _produce(own_broker.url, CHURN_TOPIC, ((r.key, r.value) for r in fresh))
    again = run_dag("customer_churn")
    candidate = client.get_model_version(
        "customer_churn", again.xcoms["train"]["model"].rsplit("/", 1)[1]
    )
    report = evaluation_report(client, candidate, tmp_path)
    assert report["champion"] == f"models:/customer_churn/{champion.version}", report
    roc_auc = next(m for m in report["metrics"] if m["metric"] == "roc_auc")
    # Two different models: a real comparison, not two perfect scores.
    assert roc_auc["relative"] != 0 and abs(roc_auc["relative"]) < 0.15, roc_auc
    assert 0.75 <= roc_auc["champion"] <= 0.95 and 0.75 <= roc_auc["candidate"] <= 0.95, roc_auc
    # The decision follows the threshold: 2 % worse is tolerated, more is not.
    assert roc_auc["passed"] == (roc_auc["relative"] >= -0.02) == again.succeeded, roc_auc
    holder = client.get_model_version_by_alias("customer_churn", "champion").version
    assert holder == (candidate.version if again.succeeded else champion.version)
