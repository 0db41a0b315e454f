"""Test-side helpers for the ingestion tests: connections, and plain confluent-kafka clients
that read and write topics independently of the code under test."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition


def connect(monkeypatch: pytest.MonkeyPatch, lake: Path, broker=None) -> None:
    """Point Airloom's lake (and Kafka) connections at the test's components.

    The same values as the session's ``airloom_connections``, without needing MLflow.
    """
    monkeypatch.setenv(
        "AIRFLOW_CONN_AIRLOOM_LAKE",
        json.dumps({"conn_type": "fs", "extra": {"path": lake.as_uri()}}),
    )
    if broker is not None:
        monkeypatch.setenv(
            "AIRFLOW_CONN_AIRLOOM_KAFKA",
            json.dumps({"conn_type": "kafka", "extra": {"bootstrap.servers": broker.url}}),
        )


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def produce(bootstrap: str, topic: str, values: Sequence[bytes | None], keys=None) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for index, value in enumerate(values):
        producer.produce(topic, value=value, key=None if keys is None else keys[index])
        producer.poll(0)
    assert producer.flush(30) == 0, f"could not produce to {topic}"


def read_all(bootstrap: str, topic: str, timeout: float = 30.0) -> list:
    """Every message in ``topic``, from the beginning of each partition to its end."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-reader-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    try:
        partitions = consumer.list_topics(topic, timeout=timeout).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        messages, at_end = [], set()
        while len(at_end) < len(partitions):
            message = consumer.poll(timeout)
            assert message is not None, f"no end of {topic} reached in {timeout} s"
            if message.error():
                assert message.error().code() == KafkaError._PARTITION_EOF, message.error()
                at_end.add(message.partition())
                continue
            at_end.discard(message.partition())
            messages.append(message)
        return messages
    finally:
        consumer.close()


def committed(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    """The consumer group's committed offset per partition (partitions without one left out)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        partitions = consumer.list_topics(topic, timeout=30).topics[topic].partitions
        offsets = consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=30)
        return {tp.partition: tp.offset for tp in offsets if tp.offset >= 0}
    finally:
        consumer.close()
