"""Fraud detection on a stream: live card transactions scored by the champion model, alerts out.

Spark Structured Streaming reads the ``card_transactions`` topic from where the last run's
checkpoint stopped (``availableNow``: every run drains what has arrived, then ends), features
are computed per transaction, the ``champion`` version of ``fraud_detector`` scores them in
Spark, and the ones it flags are published to the ``fraud_alerts`` topic for the case team.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG

from airloom.operators.batch_score import BatchScoreOperator
from airloom.operators.kafka import KafkaPublishOperator
from airloom.operators.spark import SparkTransformOperator
from airloom.operators.spark_stream import SparkKafkaStreamOperator

TRANSACTION_DDL = (
    "transaction_id STRING, card_id STRING, amount DOUBLE, merchant_category STRING, "
    "country STRING, home_country STRING, event_time TIMESTAMP"
)

with DAG(
    dag_id="fraud_detection_streaming",
    description="Kafka stream → features → champion model → alerts topic",
    doc_md=__doc__,
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["airloom", "fraud", "streaming"],
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
) as dag:
    transactions = SparkKafkaStreamOperator(
        task_id="read_transactions",
        topic="card_transactions",
        value_schema=TRANSACTION_DDL,
        output_dataset="fraud/transactions",
        on_malformed="drop",
        execution_timeout=timedelta(minutes=15),
    )
    features = SparkTransformOperator(
        task_id="build_features",
        inputs={"tables": [transactions.port("table")]},
        job="transaction_features",
        output_dataset="fraud/live_features",
        execution_timeout=timedelta(minutes=15),
    )
    scored = BatchScoreOperator(
        task_id="score",
        inputs={"table": features.port("table")},
        model_uri="models:/fraud_detector@champion",
        prediction_column="fraud_predicted",
        result_type="integer",
        output_dataset="fraud/scored_transactions",
        execution_timeout=timedelta(minutes=15),
    )
    alerts = SparkTransformOperator(
        task_id="select_alerts",
        inputs={"tables": [scored.port("table")]},
        sql=(
            "SELECT transaction_id, card_id, amount, amount_zscore, is_foreign, hour_of_day, "
            "CAST(event_time AS STRING) AS event_time FROM scored_transactions "
            "WHERE fraud_predicted = 1"
        ),
        output_dataset="fraud/alerts",
        execution_timeout=timedelta(minutes=10),
    )
    KafkaPublishOperator(
        task_id="publish_alerts",
        inputs={"table": alerts.port("table")},
        topic="fraud_alerts",
        key_column="card_id",
        execution_timeout=timedelta(minutes=10),
    )
