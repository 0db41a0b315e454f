"""Publishing a dataset to a topic on the real broker, and reading it back with kafka_ingest."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from airflow.sdk import DAG

from airloom.datasets import read_table, write_table
from airloom.operators.files import FileIngestOperator
from airloom.operators.kafka import KafkaIngestOperator, KafkaPublishOperator
from tests.harness.airflow import run_dag_object
from tests.integration.operators.ingest_support import connect, read_all, unique_name


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch, broker, lake: Path) -> None:
    connect(monkeypatch, lake, broker)


def test_each_row_is_published_as_json_keyed_by_a_column(
    airflow_db, connections, broker, lake: Path
) -> None:
    dataset_uri = f"{lake.as_uri()}/{unique_name('alerts')}"
    write_table(
        pa.table(
            {
                "customer_id": ["c1", "c2", None],
                "score": [0.91, 0.75, float("nan")],
                "at": [datetime(2026, 11, 23, 18, 0, tzinfo=UTC)] * 3,
                "day": [date(2026, 11, 23)] * 3,
            }
        ),
        dataset_uri,
        "alerts",
    )
    topic = unique_name("alerts")
    with DAG(unique_name("publish"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        KafkaPublishOperator(
            task_id="publish",
            topic=topic,
            key_column="customer_id",
            columns=["score", "at", "day"],
            inputs={"table": dataset_uri},
        )

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    assert result.xcoms["publish"] == {"stream": f"kafka://airloom_kafka/{topic}", "published": 3}
    messages = sorted(read_all(broker.url, topic), key=lambda m: m.key() or b"~")
    assert [m.key() for m in messages] == [b"c1", b"c2", None]
    assert [json.loads(m.value()) for m in messages] == [
        {"score": 0.91, "at": "2026-11-23T18:00:00+00:00", "day": "2026-11-23"},
        {"score": 0.75, "at": "2026-11-23T18:00:00+00:00", "day": "2026-11-23"},
        {"score": None, "at": "2026-11-23T18:00:00+00:00", "day": "2026-11-23"},
    ]


def test_files_published_to_a_topic_come_back_through_ingestion(
    airflow_db, connections, broker, lake: Path, tmp_path: Path
) -> None:
    (tmp_path / "orders.csv").write_text("order_id,customer,amount\n1,ada,10.5\n2,grace,99\n")
    topic, landed, ingested = unique_name("orders"), unique_name("landed"), unique_name("orders")
    schema = {
        "type": "object",
        "required": ["order_id", "amount"],
        "properties": {
            "order_id": {"type": "integer"},
            "customer": {"type": "string"},
            "amount": {"type": "number"},
        },
    }
    with DAG(unique_name("round_trip"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        files = FileIngestOperator(
            task_id="files", source=str(tmp_path / "orders.csv"), format="csv", dataset=landed
        )
        publish = KafkaPublishOperator(
            task_id="publish",
            topic=topic,
            key_column="customer",
            columns=["order_id", "customer", "amount"],
            inputs={"table": files.port("table")},
        )
        ingest = KafkaIngestOperator(
            task_id="ingest", topic=topic, dataset=ingested, record_schema=schema
        )
        publish >> ingest

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    back = read_table(f"{lake.as_uri()}/{ingested}").to_pylist()
    assert sorted((r["order_id"], r["customer"], r["amount"]) for r in back) == [
        (1, "ada", 10.5),
        (2, "grace", 99.0),
    ]


def test_a_missing_key_column_fails_naming_the_columns_there_are(
    airflow_db, connections, lake: Path, capfd: pytest.CaptureFixture
) -> None:
    dataset_uri = f"{lake.as_uri()}/{unique_name('scores')}"
    write_table(pa.table({"id": [1], "score": [0.5]}), dataset_uri, "scores")
    with DAG(unique_name("bad_publish"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        KafkaPublishOperator(
            task_id="publish",
            topic=unique_name("scores"),
            key_column="customer_id",
            inputs={"table": dataset_uri},
        )

    result = run_dag_object(dag)

    assert result.task_states == {"publish": "failed"}
    assert f"node 'publish': {dataset_uri} has no column 'customer_id' (it has id, score)" in (
        "".join(capfd.readouterr())
    )
