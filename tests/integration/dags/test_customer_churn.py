"""The customer_churn DAG end to end: demo events on a real broker to a promoted model."""

from __future__ import annotations

from pathlib import Path

import pytest
from confluent_kafka import Consumer
from mlflow import MlflowClient

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


def test_events_become_a_promoted_churn_model(
    airflow_db, airloom_connections, own_broker, mlflow, lake: Path
) -> None:
    records = list(customer_events(customers=150, seed=21))
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
    assert features.num_rows == 150
    client = MlflowClient(mlflow.url)
    champion = client.get_model_version_by_alias("customer_churn", "champion")
    assert champion.tags["airloom.workflow"] == "customer_churn"
    assert champion.tags["airloom.dataset"].endswith("churn/customer_features_validated")
    run = client.get_run(champion.run_id)
    assert run.data.metrics["roc_auc"] >= 0.6
    # Evaluation scored the customers training held out: about one in five, none trained on.
    holdout = read_table((lake / "churn" / "holdout").as_uri())
    assert holdout.num_rows == int(run.data.params["split.test_rows"])
    assert 15 <= holdout.num_rows <= 45
    assert holdout.num_rows + int(run.data.params["split.train_rows"]) == 150
