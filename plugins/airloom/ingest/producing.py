"""Send many messages with one producer and know that every one of them was acknowledged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

FLUSH_TIMEOUT_SECONDS = 60.0


class DeliveryError(RuntimeError):
    """Some messages were not acknowledged by the broker."""


@dataclass
class OutgoingMessage:
    value: bytes | None
    key: bytes | None = None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def deliver_all(
    producer: Any,
    topic: str,
    messages: Iterable[OutgoingMessage],
    timeout: float = FLUSH_TIMEOUT_SECONDS,
) -> int:
    """Produce ``messages`` to ``topic`` and wait for every acknowledgement.

    :param producer: a confluent-kafka producer, idempotent (``KafkaHook.producer``), so the
        client's own retries never duplicate or reorder a message.
    :return: how many messages were delivered.
    :raises DeliveryError: naming the topic and the first errors, if any message failed.
    """
    failures: list[str] = []

    def on_delivery(error: Any, _message: Any) -> None:
        if error is not None:
            failures.append(str(error))

    sent = 0
    for message in messages:
        while True:
            try:
                producer.produce(
                    topic,
                    value=message.value,
                    key=message.key,
                    headers=message.headers or None,
                    on_delivery=on_delivery,
                )
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.1)
        producer.poll(0)
        sent += 1
    unacknowledged = producer.flush(timeout)
    if failures or unacknowledged:
        raise DeliveryError(
            f"{len(failures) + unacknowledged} of {sent} messages to topic {topic!r} were not "
            f"delivered ({unacknowledged} unacknowledged after {timeout:.0f} s); "
            f"first errors: {failures[:3]}"
        )
    return sent
