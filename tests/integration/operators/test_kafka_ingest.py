"""Kafka ingestion against the real broker: valid records land in the lake exactly once, and
malformed ones in the dead-letter topic and the quarantine dataset, even across a crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from airflow.sdk import DAG
from confluent_kafka import TopicPartition

from airloom.datasets import read_table, write_table
from airloom.hooks.kafka import KafkaHook
from airloom.ingest.kafka_ingestion import CONSUMER_SETTINGS, IngestionError, KafkaIngestion
from airloom.ingest.kafka_source import fetch_progress, topic_partitions
from airloom.ingest.records import RecordSchema
from airloom.operators.kafka import KafkaIngestOperator
from tests.harness.airflow import run_dag_object
from tests.integration.operators.ingest_support import (
    committed,
    connect,
    produce,
    read_all,
    unique_name,
)

ORDER_SCHEMA = {
    "type": "object",
    "required": ["order_id", "customer", "amount"],
    "properties": {
        "order_id": {"type": "integer"},
        "customer": {"type": "string"},
        "amount": {"type": "number", "minimum": 0},
        "coupon": {"type": ["string", "null"]},
    },
}
NOT_JSON = b'{"order_id": 1, "customer": "c1", "amount":'
NEGATIVE_AMOUNT = b'{"order_id": 2, "customer": "c2", "amount": -3}'
NOT_AN_OBJECT = b'["order", 3]'
STEPS = ("write_quarantine", "send_dead_letters", "write_valid")


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch, broker, lake: Path) -> None:
    connect(monkeypatch, lake, broker)


def order(order_id: int) -> bytes:
    return json.dumps(
        {"order_id": order_id, "customer": f"c{order_id % 7}", "amount": order_id * 1.25}
    ).encode()


def rows(lake: Path, dataset: str) -> list[dict]:
    return read_table(f"{lake.as_uri()}/{dataset}").to_pylist()


def order_ids(lake: Path, dataset: str) -> list[int]:
    return sorted(row["order_id"] for row in rows(lake, dataset))


def ingestion(lake: Path, topic: str, dataset: str, **overrides) -> KafkaIngestion:
    settings = {
        "topic": topic,
        "record_schema": RecordSchema(ORDER_SCHEMA),
        "dataset_uri": f"{lake.as_uri()}/{dataset}",
        "quarantine_uri": f"{lake.as_uri()}/{dataset}_quarantine",
        "group_id": f"airloom.ingest.{dataset}",
        "dead_letter_topic": f"{topic}.dlq",
        "max_records": 10_000,
        "max_seconds": 30.0,
    }
    return KafkaIngestion(KafkaHook(), **{**settings, **overrides})


def source_coordinates(message) -> tuple[str, int, int]:
    headers = dict(message.headers())
    return (
        headers["airloom.source.topic"].decode(),
        int(headers["airloom.source.partition"]),
        int(headers["airloom.source.offset"]),
    )


def test_valid_records_land_in_the_lake_and_malformed_ones_in_the_dead_letter_topic(
    airflow_db, connections, broker, lake: Path
) -> None:
    topic, dataset = unique_name("orders"), unique_name("orders")
    produce(broker.url, topic, [order(i) for i in range(20)])
    produce(broker.url, topic, [NOT_JSON, NEGATIVE_AMOUNT, NOT_AN_OBJECT])
    produce(broker.url, topic, [order(i) for i in range(20, 40)])
    with DAG(unique_name("ingest"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        KafkaIngestOperator(
            task_id="ingest", topic=topic, dataset=dataset, record_schema=ORDER_SCHEMA
        )

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    outputs = result.xcoms["ingest"]
    assert outputs["table"] == f"{lake.as_uri()}/{dataset}"
    assert outputs["quarantine"] == f"{lake.as_uri()}/{dataset}_quarantine"
    assert (outputs["written"], outputs["quarantined"]) == (40, 3)
    stored = rows(lake, dataset)
    assert sorted(row["order_id"] for row in stored) == list(range(40))
    first = next(row for row in stored if row["order_id"] == 3)
    assert first["customer"] == "c3" and first["amount"] == 3.75 and first["coupon"] is None
    assert first["_kafka_topic"] == topic and first["_kafka_timestamp"] is not None
    assert str(first["ingest_date"]) == datetime.now(UTC).date().isoformat()
    assert len({(r["_kafka_partition"], r["_kafka_offset"]) for r in stored}) == 40

    quarantined = {row["_value"]: row for row in rows(lake, f"{dataset}_quarantine")}
    assert set(quarantined) == {NOT_JSON, NEGATIVE_AMOUNT, NOT_AN_OBJECT}
    assert quarantined[NOT_JSON]["_reason"].startswith("not JSON: ")
    assert "$.amount: -3 is less than the minimum of 0" in quarantined[NEGATIVE_AMOUNT]["_reason"]
    assert quarantined[NOT_AN_OBJECT]["_reason"] == "not a JSON object: a JSON list"

    dead_letters = read_all(broker.url, f"{topic}.dlq")
    assert sorted(m.value() for m in dead_letters) == sorted(quarantined)
    for message in dead_letters:
        row = quarantined[message.value()]
        assert dict(message.headers())["airloom.reason"].decode() == row["_reason"]
        assert source_coordinates(message) == (topic, row["_kafka_partition"], row["_kafka_offset"])
    assert sum(committed(broker.url, f"airloom.ingest.{dataset}", topic).values()) == 43

    # The next run reads only what arrived since.
    produce(broker.url, topic, [order(i) for i in range(40, 50)])
    again = run_dag_object(dag)
    assert again.succeeded, again.task_states
    assert again.xcoms["ingest"]["written"] == 10
    assert order_ids(lake, dataset) == list(range(50))
    assert len(read_all(broker.url, f"{topic}.dlq")) == 3


@pytest.mark.parametrize("crash_after", ["prepare", *STEPS])
def test_a_crash_before_the_commit_neither_loses_nor_duplicates_a_record(
    crash_after: str, connections, broker, lake: Path
) -> None:
    topic, dataset = unique_name("orders"), unique_name("orders")
    produce(broker.url, topic, [order(i) for i in range(30)] + [NOT_JSON, NEGATIVE_AMOUNT])
    with ingestion(lake, topic, dataset) as doomed:
        prepared = doomed.prepare(doomed.consume())
        for step in STEPS[: STEPS.index(crash_after) + 1] if crash_after in STEPS else ():
            getattr(doomed, step)(prepared)
        # Leaving the block closes the consumer without a commit, as a dead worker would.
    produce(broker.url, topic, [order(i) for i in range(30, 40)] + [NOT_AN_OBJECT])

    with ingestion(lake, topic, dataset) as rerun:
        summary = rerun.run()

    assert order_ids(lake, dataset) == list(range(40))
    quarantined = sorted(row["_value"] for row in rows(lake, f"{dataset}_quarantine"))
    assert quarantined == sorted([NOT_JSON, NEGATIVE_AMOUNT, NOT_AN_OBJECT])
    assert sum(committed(broker.url, f"airloom.ingest.{dataset}", topic).values()) == 43
    written_before = 30 if crash_after == "write_valid" else 0
    assert summary.written == 40 - written_before
    # A crash after the quarantine write but before its dead letters went: the rerun sends them.
    assert summary.dead_letters_recovered == (2 if crash_after == "write_quarantine" else 0)
    dead_letters = read_all(broker.url, f"{topic}.dlq")
    assert sorted(source_coordinates(m) for m in dead_letters) == sorted(
        (topic, row["_kafka_partition"], row["_kafka_offset"])
        for row in rows(lake, f"{dataset}_quarantine")
    )


CRASHING_INGESTION = """
import json, sys, time
from airloom.hooks.kafka import KafkaHook
from airloom.ingest.kafka_ingestion import KafkaIngestion
from airloom.ingest.records import RecordSchema

settings = json.loads(sys.argv[1])
settings["record_schema"] = RecordSchema(settings["record_schema"])
ingestion = KafkaIngestion(KafkaHook(), **settings)
prepared = ingestion.prepare(ingestion.consume())
for step in ("write_quarantine", "send_dead_letters", "write_valid"):
    getattr(ingestion, step)(prepared)
print("written", prepared.written, flush=True)
time.sleep(600)  # killed here: after the durable write, before the offset commit
"""


def test_a_worker_killed_between_write_and_commit_is_completed_by_the_next_run(
    airflow_db, connections, broker, lake: Path
) -> None:
    topic, dataset = unique_name("orders"), unique_name("orders")
    produce(broker.url, topic, [order(i) for i in range(25)] + [NOT_JSON])
    settings = {
        "topic": topic,
        "record_schema": ORDER_SCHEMA,
        "dataset_uri": f"{lake.as_uri()}/{dataset}",
        "quarantine_uri": f"{lake.as_uri()}/{dataset}_quarantine",
        "group_id": f"airloom.ingest.{dataset}",
        "dead_letter_topic": f"{topic}.dlq",
        "max_records": 10_000,
        "max_seconds": 30.0,
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", CRASHING_INGESTION, json.dumps(settings)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert worker.stdout.readline().split() == ["written", "25"]
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    assert order_ids(lake, dataset) == list(range(25))  # durable, but not committed
    assert committed(broker.url, f"airloom.ingest.{dataset}", topic) == {}
    produce(broker.url, topic, [order(i) for i in range(25, 30)])
    with DAG(unique_name("ingest"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        KafkaIngestOperator(
            task_id="ingest", topic=topic, dataset=dataset, record_schema=ORDER_SCHEMA
        )

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    assert result.xcoms["ingest"]["already_stored"] == 26
    assert order_ids(lake, dataset) == list(range(30))
    assert [row["_value"] for row in rows(lake, f"{dataset}_quarantine")] == [NOT_JSON]
    assert len(read_all(broker.url, f"{topic}.dlq")) == 1
    assert sum(committed(broker.url, f"airloom.ingest.{dataset}", topic).values()) == 31


def test_max_records_bounds_each_run_and_the_next_run_continues(
    connections, broker, lake: Path
) -> None:
    topic, dataset = unique_name("orders"), unique_name("orders")
    produce(broker.url, topic, [order(i) for i in range(25)])
    summaries = []
    for _ in range(3):
        with ingestion(lake, topic, dataset, max_records=10) as bounded:
            summaries.append(bounded.run())
    assert [s.written for s in summaries] == [10, 10, 5]
    assert summaries[0].stopped_because == "max_records (10) reached"
    assert summaries[2].stopped_because == "every partition read to its end"
    assert order_ids(lake, dataset) == list(range(25))


def test_a_dataset_written_by_something_else_is_refused_with_the_reason(
    connections, broker, lake: Path
) -> None:
    topic, dataset = unique_name("orders"), unique_name("orders")
    write_table(pa.table({"order_id": [1]}), f"{lake.as_uri()}/{dataset}", "from-elsewhere")
    produce(broker.url, topic, [order(1)])
    with ingestion(lake, topic, dataset) as refused, pytest.raises(IngestionError) as error:
        refused.run()
    assert f"{dataset} has no column _kafka_topic" in str(error.value)
    assert committed(broker.url, f"airloom.ingest.{dataset}", topic) == {}


def test_the_client_says_when_a_batch_has_read_everything_fetched(connections, broker) -> None:
    topic = unique_name("orders")
    produce(broker.url, topic, [order(i) for i in range(30)])
    consumer = KafkaHook().consumer(unique_name("progress"), **CONSUMER_SETTINGS)
    try:
        partitions = topic_partitions(consumer, topic)
        consumer.assign([TopicPartition(topic, partition) for partition in partitions])
        before = fetch_progress(consumer, topic, partitions)
        assert before.ended == set() and before.waiting is None  # nothing fetched or read yet

        read = []
        for _ in range(100):
            read += [m for m in consumer.consume(30, timeout=0.2) if m.error() is None]
            if len(read) == 30:
                break
        assert len(read) == 30
        # A partition that got records is at its end once they are read; an empty one has
        # handed nothing over, so only its end event can tell.
        holding = sorted({message.partition() for message in read})
        after = fetch_progress(consumer, topic, holding)
        assert after.ended == set(holding) and after.waiting == 0
        empty = [partition for partition in partitions if partition not in holding]
        assert fetch_progress(consumer, topic, empty).ended == set()
    finally:
        consumer.close()
