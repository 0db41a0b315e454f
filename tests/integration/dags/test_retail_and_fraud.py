"""The retail and fraud DAGs end to end on real Spark, MLflow, the broker and the lake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from confluent_kafka import Consumer
from mlflow import MlflowClient

from airloom.datasets import read_table
from airloom_cli.demo.publish import FRAUD_TOPIC, Destination, load_fraud, load_retail
from tests.harness.airflow import run_dag
from tests.harness.demo import demo_destination
from tests.harness.spark import use_local_spark


@pytest.fixture(scope="module", autouse=True)
def local_spark() -> None:
    use_local_spark()


def settings_for(broker, lake: Path) -> Destination:
    return demo_destination(broker.port, lake)


def evaluation_report(client: MlflowClient, model: str, version: str, tmp_path: Path) -> dict:
    """The report the evaluate task wrote for a version."""
    uri = client.get_model_version(model, version).tags["airloom.evaluation.report"]
    run_id, _, artifact = uri.removeprefix("runs:/").partition("/")
    return json.loads(Path(client.download_artifacts(run_id, artifact, str(tmp_path))).read_text())


def test_sales_files_become_a_demand_forecast(
    airflow_db, airloom_connections, own_broker, mlflow, lake: Path
) -> None:
    loaded = load_retail(settings_for(own_broker, lake), customers=0)

    result = run_dag("retail_demand_forecast")

    assert result.succeeded, result.task_states
    assert read_table((lake / "retail" / "daily_sales").as_uri()).num_rows == loaded.count
    forecast = read_table((lake / "retail" / "demand_forecast").as_uri()).to_pandas()
    assert len(forecast) > 0 and forecast["forecast_units"].notna().all()
    error = (forecast["forecast_units"] - forecast["units_sold"]).abs().mean()
    assert error < 0.5 * forecast["units_sold"].mean()  # a forecast, not noise
    version = result.xcoms["train"]["model"].rsplit("/", 1)[1]
    client = MlflowClient(mlflow.url)
    trained = client.get_model_version("retail_demand", version)
    assert trained.tags["airloom.workflow"] == "retail_demand_forecast"
    # On days it never saw, the model errs as daily store-product forecasts do: it explains
    # most of the variation, and misses by a fifth to a third of what sells.
    metrics = client.get_run(trained.run_id).data.metrics
    wape = metrics["mae"] / forecast["units_sold"].mean()
    assert 0.5 <= metrics["r2"] <= 0.9 and 0.15 <= wape <= 0.35, (metrics, wape)

    # The next day's run on the same files ingests none of them again.
    load_retail(settings_for(own_broker, lake), customers=0)  # the demo loaded once more
    again = run_dag("retail_demand_forecast")
    assert again.succeeded, again.task_states
    assert again.xcoms["ingest_sales"]["files"] == 0
    assert read_table((lake / "retail" / "daily_sales").as_uri()).num_rows == loaded.count
    assert read_table((lake / "retail" / "demand_forecast").as_uri()).num_rows == len(forecast)


def test_the_champion_fraud_model_scores_the_stream_and_alerts(
    airflow_db, airloom_connections, own_broker, mlflow, lake: Path, tmp_path: Path
) -> None:
    load_fraud(settings_for(own_broker, lake), customers=0)

    trained = run_dag("fraud_model_training")
    assert trained.succeeded, trained.task_states
    champion = MlflowClient(mlflow.url).get_model_version_by_alias("fraud_detector", "champion")
    assert champion.tags["airloom.workflow"] == "fraud_model_training"
    history = {
        name: read_table((lake / "fraud" / name).as_uri()).num_rows
        for name in ("labelled_transactions", "training_features", "training", "holdout")
    }

    metrics = MlflowClient(mlflow.url).get_run(champion.run_id).data.metrics
    # A detector as real ones are: it finds most fraud, misses some, flags some good spending.
    assert 0.8 <= metrics["roc_auc"] <= 0.97, metrics
    assert 0.3 <= metrics["recall"] < 0.95 and 0.3 <= metrics["precision"] < 1.0, metrics

    retrained = run_dag("fraud_model_training")  # the same history: nothing ingested twice
    assert retrained.succeeded, retrained.task_states
    # The same history makes the same model: evaluation compares data, not random seeds.
    version = retrained.xcoms["train"]["model"].rsplit("/", 1)[1]
    report = evaluation_report(MlflowClient(mlflow.url), "fraud_detector", version, tmp_path)
    assert report["champion"] == f"models:/fraud_detector/{champion.version}", report
    assert {m["metric"]: m["relative"] for m in report["metrics"]}["roc_auc"] == 0, report
    assert retrained.xcoms["ingest_history"]["files"] == 0
    assert {name: read_table((lake / "fraud" / name).as_uri()).num_rows for name in history} == (
        history
    )

    streamed = run_dag("fraud_detection_streaming")
    assert streamed.succeeded, streamed.task_states
    scored = read_table((lake / "fraud" / "scored_transactions").as_uri()).to_pandas()
    assert len(scored) == 500
    flagged = int(scored["fraud_predicted"].sum())
    assert 0 < flagged < 100

    consumer = Consumer(
        {"bootstrap.servers": own_broker.url, "group.id": "alerts", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe(["fraud_alerts"])
    alerts: list = []
    try:
        for _ in range(60):
            alerts += [m for m in consumer.consume(500, timeout=1.0) if not m.error()]
            if len(alerts) >= flagged:
                break
    finally:
        consumer.close()
    assert len(alerts) == flagged
    assert {"transaction_id", "card_id", "amount"} <= set(json.loads(alerts[0].value()))
    assert FRAUD_TOPIC == "card_transactions"
