"""Kafka ingestion under faults, on the real broker with real processes: runs that overlap
while records keep arriving, a worker killed while its dead letters go out, a topic deleted
and created again, and what a crashed write leaves behind. Each test counts every record in
the lake, the quarantine and the dead-letter topic: none lost, none twice."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

from airloom.datasets import read_table
from airloom.hooks.kafka import KafkaHook
from airloom.ingest.kafka_ingestion import IngestSummary, KafkaIngestion
from airloom.ingest.records import RecordSchema
from tests.harness.ingestion_worker import SteppingIngestion
from tests.harness.kafka_topics import new_topic
from tests.integration.operators.ingest_support import (
    committed,
    connect,
    produce,
    read_all,
    unique_name,
)

SCHEMA = {
    "type": "object",
    "required": ["order_id", "amount"],
    "properties": {"order_id": {"type": "integer"}, "amount": {"type": "number", "minimum": 0}},
}
PARTITIONS = 3


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch, broker, lake: Path) -> None:
    connect(monkeypatch, lake, broker)


def order(order_id: int) -> bytes:
    return json.dumps({"order_id": order_id, "amount": order_id * 0.5}).encode()


def malformed(order_id: int) -> bytes:
    return json.dumps({"order_id": order_id, "amount": -1}).encode()


class Feed:
    """Records sent to a topic, spread over its partitions by key, and what was sent."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap, self.topic = bootstrap, topic
        self.valid: list[int] = []
        self.malformed: list[int] = []

    def send(self, valid: range, malformed_ids: range = range(0)) -> None:
        values = [order(i) for i in valid] + [malformed(i) for i in malformed_ids]
        keys = [str(i).encode() for i in [*valid, *malformed_ids]]
        produce(self.bootstrap, self.topic, values, keys=keys)
        self.valid += list(valid)
        self.malformed += list(malformed_ids)


def settings(lake: Path, topic: str, dataset: str) -> dict[str, Any]:
    return {
        "topic": topic,
        "record_schema": SCHEMA,
        "dataset_uri": f"{lake.as_uri()}/{dataset}",
        "quarantine_uri": f"{lake.as_uri()}/{dataset}_quarantine",
        "group_id": f"airloom.ingest.{dataset}",
        "dead_letter_topic": f"{topic}.dlq",
        "max_records": 10_000,
        "max_seconds": 30.0,
    }


def run_once(lake: Path, topic: str, dataset: str, label: str = "") -> IngestSummary:
    options = settings(lake, topic, dataset) | {"record_schema": RecordSchema(SCHEMA)}
    with KafkaIngestion(KafkaHook(), **options, run_label=label) as ingestion:
        return ingestion.run()


def stored_ids(lake: Path, dataset: str) -> Counter:
    return Counter(read_table(f"{lake.as_uri()}/{dataset}")["order_id"].to_pylist())


def quarantined_ids(lake: Path, dataset: str) -> Counter:
    values = read_table(f"{lake.as_uri()}/{dataset}_quarantine")["_value"].to_pylist()
    return Counter(json.loads(value)["order_id"] for value in values)


def dead_letter_ids(bootstrap: str, topic: str) -> Counter:
    return Counter(json.loads(m.value())["order_id"] for m in read_all(bootstrap, f"{topic}.dlq"))


def assert_exactly_once(feed: Feed, lake: Path, dataset: str) -> None:
    """Every record sent is stored once where it belongs, and its offset committed."""
    assert stored_ids(lake, dataset) == Counter(feed.valid)
    assert quarantined_ids(lake, dataset) == Counter(feed.malformed)
    assert dead_letter_ids(feed.bootstrap, feed.topic) == Counter(feed.malformed)
    group = f"airloom.ingest.{dataset}"
    assert sum(committed(feed.bootstrap, group, feed.topic).values()) == len(feed.valid) + len(
        feed.malformed
    )
    assert list(lake.glob(f"{dataset}*/**/.*.tmp")) == []  # no in-flight file left behind
    assert list(lake.glob(f"{dataset}/_airloom_kafka/*/dead_letters/*.json")) == []


def test_overlapping_runs_with_records_arriving_lose_and_repeat_nothing(
    connections, broker, lake: Path
) -> None:
    topic, dataset = new_topic(broker.url, "orders", PARTITIONS), unique_name("orders")
    feed = Feed(broker.url, topic)
    feed.send(range(60), range(1000, 1006))
    first = SteppingIngestion(settings(lake, topic, dataset) | {"run_label": "run A"}, {"prepare"})
    try:
        assert first.reach("prepare")["consumed"] == 66
        feed.send(range(60, 90), range(1006, 1009))  # arriving while run A holds its batch

        second = run_once(lake, topic, dataset, label="run B")  # runs while A is held
        assert (second.written, second.quarantined) == (90, 9)
        feed.send(range(90, 110), range(1009, 1011))
        first.resume()
        stopped = first.reach("done")
        assert first.finish() == 0
    finally:
        first.kill()
    # Run A read records B stored too; it was superseded before writing any of them.
    assert stopped["at"] == "superseded"
    assert "run B" in stopped["reason"] and "committed nothing" in stopped["reason"]

    third = run_once(lake, topic, dataset)
    assert (third.written, third.quarantined, third.already_stored) == (20, 2, 0)
    assert_exactly_once(feed, lake, dataset)


def test_a_run_arriving_while_another_stores_its_batch_waits_for_it(
    connections, broker, lake: Path
) -> None:
    topic, dataset = new_topic(broker.url, "orders", PARTITIONS), unique_name("orders")
    feed = Feed(broker.url, topic)
    feed.send(range(40), range(1000, 1004))
    first = SteppingIngestion(settings(lake, topic, dataset), {"write_quarantine"})
    try:
        first.reach("write_quarantine")  # inside its change, holding the dataset's lock
        feed.send(range(40, 55), range(1004, 1006))
        summaries: list[IngestSummary] = []
        second = threading.Thread(target=lambda: summaries.append(run_once(lake, topic, dataset)))
        second.start()
        second.join(1.5)
        assert second.is_alive(), "the second run did not wait for the first one's change"
        first.resume()
        assert first.reach("done")["written"] == 40
        assert first.finish() == 0
        second.join(60)
    finally:
        first.kill()
    # The second run took over only once the first had committed: it read what came after.
    assert [(s.written, s.quarantined, s.already_stored) for s in summaries] == [(15, 2, 0)]
    assert_exactly_once(feed, lake, dataset)


@pytest.mark.parametrize(
    ("killed_at", "recovered"),
    [("write_quarantine", 6), ("half_delivered", 3), ("delivered", 0)],
    ids=["before-any-letter", "half-the-letters-sent", "every-letter-sent"],
)
def test_a_worker_killed_while_dead_letters_go_out_sends_each_once(
    killed_at: str, recovered: int, connections, broker, lake: Path
) -> None:
    topic, dataset = new_topic(broker.url, "orders", PARTITIONS), unique_name("orders")
    feed = Feed(broker.url, topic)
    feed.send(range(30), range(1000, 1006))
    worker = SteppingIngestion(settings(lake, topic, dataset), {killed_at})
    try:
        worker.reach(killed_at)
    finally:
        worker.kill()  # holding the dataset's lock: the kernel releases it
    assert quarantined_ids(lake, dataset) == Counter(feed.malformed)  # durable before letters
    feed.send(range(30, 40), range(1006, 1008))

    rerun = run_once(lake, topic, dataset)

    assert rerun.dead_letters_recovered == recovered
    assert (rerun.written, rerun.quarantined, rerun.already_stored) == (40, 2, 6)
    assert_exactly_once(feed, lake, dataset)


def test_a_recreated_topic_is_new_data_not_records_already_stored(
    connections, broker, lake: Path
) -> None:
    topic, dataset = new_topic(broker.url, "orders", PARTITIONS), unique_name("orders")
    feed = Feed(broker.url, topic)
    feed.send(range(20), range(1000, 1002))
    assert run_once(lake, topic, dataset).written == 20

    admin = AdminClient({"bootstrap.servers": broker.url})
    admin.delete_topics([topic])[topic].result(timeout=30)
    admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])[
        topic
    ].result(timeout=30)
    # The new incarnation's offsets start again at 0, where the old one's records are stored.
    recreated = Feed(broker.url, topic)
    recreated.send(range(100, 115), range(2000, 2001))

    rerun = run_once(lake, topic, dataset)

    assert (rerun.written, rerun.quarantined, rerun.already_stored) == (15, 1, 0)
    rows = read_table(f"{lake.as_uri()}/{dataset}").to_pylist()
    assert Counter(row["order_id"] for row in rows) == Counter([*range(20), *range(100, 115)])
    old_ids = {row["_kafka_topic_id"] for row in rows if row["order_id"] < 100}
    new_ids = {row["_kafka_topic_id"] for row in rows if row["order_id"] >= 100}
    assert len(old_ids) == len(new_ids) == 1 and old_ids != new_ids and None not in old_ids
    assert quarantined_ids(lake, dataset) == Counter([1000, 1001, 2000])
    assert dead_letter_ids(broker.url, topic) == Counter([1000, 1001, 2000])
    letters = read_all(broker.url, f"{topic}.dlq")
    assert {dict(m.headers())["airloom.source.topic_id"].decode() for m in letters} == {
        *old_ids,
        *new_ids,
    }
    assert sum(committed(broker.url, f"airloom.ingest.{dataset}", topic).values()) == 16


def test_the_next_run_removes_what_a_crashed_write_left(connections, broker, lake: Path) -> None:
    topic, dataset = new_topic(broker.url, "orders", PARTITIONS), unique_name("orders")
    feed = Feed(broker.url, topic)
    feed.send(range(10), range(1000, 1001))
    assert run_once(lake, topic, dataset).written == 10
    # What a write killed before its rename leaves: .<file name>.<uuid>.tmp beside the file.
    crashed = f"kafka-{topic}-0-0-{uuid.uuid4().hex[:12]}"
    leftovers = [
        next((lake / name).glob("ingest_date=*")) / f".{crashed}.{uuid.uuid4().hex}.tmp"
        for name in (dataset, f"{dataset}_quarantine")
    ]
    for leftover in leftovers:
        leftover.write_bytes(b"PAR1 half a file")
    feed.send(range(10, 15))

    rerun = run_once(lake, topic, dataset)

    assert rerun.leftovers_removed == 2
    assert not any(leftover.exists() for leftover in leftovers)
    assert_exactly_once(feed, lake, dataset)
