"""spark_stream: Kafka to the lake in bounded runs, each continuing where the last stopped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from airflow.sdk import DAG

from airloom.catalog import NodeConfigError
from airloom.datasets import read_table
from airloom.operators.spark_stream import SparkKafkaStreamOperator
from tests.harness.airflow import run_dag_object
from tests.harness.kafka_topics import new_topic, publish
from tests.harness.spark import use_local_spark

use_local_spark()

SCHEMA = "transaction_id STRING, card_id STRING, amount DOUBLE, event_time TIMESTAMP"


def _transactions(start: int, count: int) -> list[bytes]:
    return [
        json.dumps(
            {
                "transaction_id": f"t{n}",
                "card_id": f"c{n % 3}",
                "amount": n * 1.5,
                "event_time": f"2026-11-23T10:{n % 60:02d}:00Z",
            }
        ).encode()
        for n in range(start, start + count)
    ]


def _stream_dag(dag_id: str, topic: str, dataset: str, **params) -> DAG:
    params = {"value_schema": SCHEMA, **params}
    with DAG(dag_id, schedule=None) as dag:
        SparkKafkaStreamOperator(task_id="stream", topic=topic, output_dataset=dataset, **params)
    return dag


def test_each_run_appends_what_arrived_since_the_last(
    airflow_db, airloom_connections, broker, lake: Path
) -> None:
    topic = new_topic(broker.url, "transactions", partitions=2)
    publish(broker.url, topic, _transactions(0, 7))
    dag = _stream_dag("spark_stream_runs", topic, "fraud/transactions_raw")

    first = run_dag_object(dag)

    assert first.succeeded, first.task_states
    uri = (lake / "fraud" / "transactions_raw").as_uri()
    assert first.xcoms["stream"] == {"table": uri, "rows": 7, "malformed": 0}
    table = read_table(uri)
    assert sorted(table["transaction_id"].to_pylist()) == sorted(f"t{n}" for n in range(7))
    assert table.schema.field("amount").type == "double"
    assert {"topic", "partition", "offset", "kafka_timestamp"} <= set(table.column_names)

    publish(broker.url, topic, _transactions(7, 5))
    second = run_dag_object(dag)

    assert second.xcoms["stream"]["rows"] == 5
    table = read_table(uri)
    ids = table["transaction_id"].to_pylist()
    assert sorted(ids) == sorted(f"t{n}" for n in range(12)) and len(set(ids)) == 12
    places = list(zip(table["partition"].to_pylist(), table["offset"].to_pylist(), strict=True))
    assert len(set(places)) == 12
    row = next(r for r in table.to_pylist() if r["transaction_id"] == "t4")
    assert (row["card_id"], row["amount"], row["topic"]) == ("c1", 6.0, topic)
    assert (lake / "_checkpoints" / "fraud" / "transactions_raw" / "offsets").is_dir()


def test_malformed_record_stops_the_run_naming_it_and_writes_nothing(
    airflow_db, airloom_connections, broker, lake: Path, capfd
) -> None:
    topic = new_topic(broker.url, "transactions-bad")
    publish(broker.url, topic, _transactions(0, 2))
    dataset = "fraud/transactions_bad"
    assert run_dag_object(_stream_dag("spark_stream_good", topic, dataset)).succeeded
    bad = b'{"transaction_id": "t9", "amount": "lots"}'
    publish(broker.url, topic, [*_transactions(2, 1), bad, *_transactions(3, 1)])
    capfd.readouterr()

    failed = run_dag_object(_stream_dag("spark_stream_bad", topic, dataset))

    assert failed.task_states == {"stream": "failed"}
    log = "".join(capfd.readouterr())
    assert f"node 'stream': record {topic}[0]@3 is not JSON matching" in log
    uri = (lake / "fraud" / "transactions_bad").as_uri()
    assert sorted(read_table(uri)["transaction_id"].to_pylist()) == ["t0", "t1"]

    dropping = _stream_dag("spark_stream_drop", topic, dataset, on_malformed="drop")
    result = run_dag_object(dropping)

    assert result.xcoms["stream"]["rows"] == 2 and result.xcoms["stream"]["malformed"] == 1
    assert sorted(read_table(uri)["transaction_id"].to_pylist()) == ["t0", "t1", "t2", "t3"]


def test_value_schema_and_names_are_checked(airflow_db, airloom_connections, broker, capfd) -> None:
    with DAG("spark_stream_invalid", schedule=None), pytest.raises(NodeConfigError) as error:
        SparkKafkaStreamOperator(
            task_id="stream", topic="t", value_schema=SCHEMA, output_dataset="Not OK"
        )
    assert [p.field for p in error.value.problems] == ["output_dataset"]
    topic = new_topic(broker.url, "transactions-ddl")
    capfd.readouterr()
    result = run_dag_object(
        _stream_dag("spark_stream_bad_schema", topic, "fraud/x", value_schema="amount DUBBLE")
    )
    assert result.task_states == {"stream": "failed"}
    assert "value_schema 'amount DUBBLE' is not a Spark DDL schema" in "".join(capfd.readouterr())
