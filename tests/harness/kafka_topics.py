"""Topics and records on the test broker, through plain confluent-kafka clients."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic


def new_topic(bootstrap: str, prefix: str, partitions: int = 1) -> str:
    """A fresh topic with ``partitions`` partitions; the name never repeats across runs."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])[
        name
    ].result(timeout=30)
    return name


def publish(
    bootstrap: str, topic: str, values: Iterable[bytes], partition: int | None = None
) -> int:
    """Send ``values`` (keyed by their index) and wait for every acknowledgement."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    errors: list[str] = []
    sent = 0
    for index, value in enumerate(values):
        extra = {} if partition is None else {"partition": partition}
        producer.produce(
            topic,
            value=value,
            key=str(index).encode(),
            on_delivery=lambda err, _msg: errors.append(str(err)) if err else None,
            **extra,
        )
        sent += 1
    if producer.flush(30) or errors:
        raise RuntimeError(f"could not deliver to {topic}: {errors[:3]}")
    return sent
