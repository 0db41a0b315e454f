"""Read activity events back from the real broker, as the insights service will."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from confluent_kafka import Consumer, TopicPartition

from airloom.activity import TOPIC, ActivityEvent, parse_event


def new_tenant(prefix: str = "t") -> str:
    """A tenant name no other test (or earlier run) used, so its events are only this test's."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def read_events(
    bootstrap: str,
    wanted: Callable[[ActivityEvent], bool],
    count: int,
    timeout: float = 30.0,
    topic: str = TOPIC,
) -> list[ActivityEvent]:
    """Every event on ``topic`` that ``wanted`` accepts, once ``count`` of them arrived.

    Reads each partition from its start, so events sent before the call count too; returns
    early with what it found when ``timeout`` passes.
    """
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"activity-test-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
        }
    )
    found: list[ActivityEvent] = []
    deadline = time.monotonic() + timeout
    try:
        partitions = _partitions(consumer, topic, deadline)
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        while len(found) < count and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            event = parse_event(message.value())
            if message.key() != event.tenant.encode():
                raise AssertionError(f"event keyed {message.key()!r}, tenant {event.tenant!r}")
            if wanted(event):
                found.append(event)
    finally:
        consumer.close()
    return found


def _partitions(consumer: Consumer, topic: str, deadline: float) -> list[int]:
    while True:
        metadata = consumer.list_topics(topic, timeout=5).topics.get(topic)
        if metadata is not None and metadata.error is None and metadata.partitions:
            return sorted(metadata.partitions)
        if time.monotonic() > deadline:
            raise TimeoutError(f"topic {topic} never appeared")
        time.sleep(0.2)
