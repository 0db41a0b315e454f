"""Kafka clients for Airloom's operators, built from one Airflow connection.

Connection handling (config in the connection's extra, MSK IAM auth on AWS) is the Apache
Kafka provider's; this hook adds Airloom's clients on top (an idempotent producer, consumers
that never auto-commit: :class:`airloom.kafka_clients.KafkaClientSet`), topic creation that
tolerates an existing topic, and sending and reading single records.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from airflow.providers.apache.kafka.hooks.base import KafkaBaseHook
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from airloom.connections import KAFKA_CONN_ID
from airloom.kafka_clients import KafkaClientSet


@dataclass(frozen=True)
class Delivered:
    topic: str
    partition: int
    offset: int


class KafkaHook(KafkaBaseHook, KafkaClientSet):
    """Producer, consumer and admin clients for one Kafka connection.

    :param kafka_config_id: Airflow connection whose extra holds the client config.
    """

    def __init__(self, kafka_config_id: str = KAFKA_CONN_ID) -> None:
        super().__init__(kafka_config_id=kafka_config_id)

    def client_config(self, **overrides: Any) -> dict[str, Any]:
        config = self._build_config()
        config.update(overrides)
        return config

    def ensure_topic(self, topic: str, partitions: int = 1, timeout: float = 30.0) -> None:
        # A connection's topics are created without asking first (behaviour kept as it was).
        self.create_topic(topic, partitions, timeout)

    def produce(
        self,
        topic: str,
        values: Iterable[bytes],
        keys: Sequence[bytes | None] | None = None,
        timeout: float = 60.0,
    ) -> Delivered:
        """Send ``values`` and wait until every one is acknowledged; return the last one's place."""
        producer = self.producer()
        errors: list[str] = []
        last: list[Delivered] = []

        def on_delivery(err: KafkaError | None, msg: Any) -> None:
            if err is not None:
                errors.append(str(err))
            else:
                last.append(Delivered(msg.topic(), msg.partition(), msg.offset()))

        for index, value in enumerate(values):
            key = keys[index] if keys is not None else None
            producer.produce(topic, value=value, key=key, on_delivery=on_delivery)
            producer.poll(0)
        remaining = producer.flush(timeout)
        if errors or remaining:
            raise KafkaException(
                f"could not deliver to {topic!r}: {remaining} unacknowledged, errors: {errors[:3]}"
            )
        if not last:
            raise ValueError(f"nothing to send to {topic!r}")
        return max(last, key=lambda d: (d.partition, d.offset))

    def read(self, topic: str, partition: int, offset: int, timeout: float = 30.0) -> bytes:
        """Read the one record at ``topic``/``partition``/``offset``, without a consumer group."""
        consumer = Consumer(
            self.client_config(**{"group.id": "airloom-reader", "enable.auto.commit": False})
        )
        try:
            consumer.assign([TopicPartition(topic, partition, offset)])
            message = consumer.poll(timeout)
            if message is None:
                raise TimeoutError(f"no record at {topic}[{partition}]@{offset} in {timeout} s")
            if message.error():
                raise KafkaException(message.error())
            return message.value()
        finally:
            consumer.close()
