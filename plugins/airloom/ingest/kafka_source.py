"""Read one bounded batch from a Kafka topic, and commit its offsets when told to.

Partitions are assigned explicitly (every partition of the topic, from the consumer group's
committed offsets, else the earliest): a bounded batch needs no group rebalance, which costs
seconds per run. The group still holds the offsets, so the next run starts where the last
committed one ended. Nothing on the broker stops two runs from committing; the ingestion's
lease decides which may (:mod:`airloom.ingest.kafka_lease`).
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

CONSUME_CHUNK = 10_000  # messages taken from the client per call; librdkafka prefetches more
# consume() waits this long for a full chunk; a caught-up topic is seen before the call.
CONSUME_WAIT_SECONDS = 0.2
METADATA_TIMEOUT_SECONDS = 30.0


class KafkaSourceError(RuntimeError):
    """The topic cannot be read, or offsets cannot be committed."""


@dataclass
class ConsumedBatch:
    """Messages read in one bounded batch, in the order each partition delivered them.

    ``messages`` are confluent-kafka ``Message`` objects kept as they are: copying each one's
    fields into a Python object costs more than anything else per message.
    """

    topic: str
    ingest_date: str  # UTC date the batch was read, the dataset's hive partition
    messages: list[Any] = field(default_factory=list)
    inspected: list[Any] = field(default_factory=list)  # per chunk, what ``inspect`` returned
    stopped_because: str = ""
    _coordinates: tuple[Any, Any] | None = field(default=None, repr=False)

    def coordinates(self) -> tuple[pa.Array, pa.Array]:
        """Every message's partition and offset, as Arrow arrays (computed once, when read)."""
        import pyarrow as pa

        if self._coordinates is None or len(self._coordinates[0]) != len(self.messages):
            self._coordinates = (
                pa.array([message.partition() for message in self.messages], pa.int32()),
                pa.array([message.offset() for message in self.messages], pa.int64()),
            )
        return self._coordinates

    def offset_ranges(self) -> dict[int, tuple[int, int]]:
        """Per partition, the lowest and highest offset read."""
        import pyarrow as pa

        partitions, offsets = self.coordinates()
        summary = (
            pa.table({"partition": partitions, "offset": offsets})
            .group_by("partition")
            .aggregate([("offset", "min"), ("offset", "max")])
        )
        return {
            partition: (low, high)
            for partition, low, high in zip(
                summary["partition"].to_pylist(),
                summary["offset_min"].to_pylist(),
                summary["offset_max"].to_pylist(),
                strict=True,
            )
        }

    def next_offsets(self) -> dict[int, int]:
        """Per partition, the offset to commit: one past the last message read."""
        return {partition: last + 1 for partition, (_, last) in self.offset_ranges().items()}


def timestamp_ms(message: Any) -> int | None:
    """The message's timestamp in ms since the epoch, None when the broker gave none."""
    kind, value = message.timestamp()
    return None if kind == 0 or value < 0 else value


def topic_partitions(consumer: Any, topic: str) -> list[int]:
    from confluent_kafka import KafkaException

    try:
        metadata = consumer.list_topics(topic, timeout=METADATA_TIMEOUT_SECONDS)
    except KafkaException as error:
        raise KafkaSourceError(f"cannot read metadata of topic {topic!r}: {error}") from error
    described = metadata.topics.get(topic)
    if described is None or described.error is not None or not described.partitions:
        reason = described.error if described is not None else "not in the metadata"
        raise KafkaSourceError(f"topic {topic!r} cannot be read: {reason}")
    return sorted(described.partitions)


def topic_identity(admin: Any, topic: str) -> str | None:
    """The broker's id for this incarnation of ``topic``, or None if the broker keeps none.

    A topic deleted and created again under its name gets a new id (Kafka 2.8 and later, and
    the Tansu broker): what was stored from the old one is not what the new one holds.
    """
    from confluent_kafka import KafkaException, TopicCollection

    futures = admin.describe_topics(
        TopicCollection([topic]), request_timeout=METADATA_TIMEOUT_SECONDS
    )
    try:
        described = futures[topic].result(timeout=METADATA_TIMEOUT_SECONDS)
    except KafkaException as error:
        reason = error.args[0].str() if error.args else str(error)
        raise KafkaSourceError(f"topic {topic!r} cannot be read: {reason}") from error
    topic_id = described.topic_id
    if topic_id is None or (
        topic_id.get_most_significant_bits() == 0 and topic_id.get_least_significant_bits() == 0
    ):
        return None
    return str(topic_id)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch is read.

    Each record read becomes new containers (its message, and whatever ``inspect`` makes of
    it, such as a dict), so a large batch keeps setting off full collections; in a task
    process that has Airflow, pyarrow and pandas loaded, each walks every object there: a
    tenth of a second, several times per batch. Records hold no cycles (reference counting
    frees them), and the read is bounded by ``max_records`` and ``max_seconds``.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def consume_batch(
    consumer: Any,
    topic: str,
    max_records: int,
    max_seconds: float,
    inspect: Callable[[list[Any]], Any] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ConsumedBatch:
    """Read until ``max_records``, ``max_seconds``, or every partition is at its end.

    :param consumer: a consumer built with ``enable.partition.eof`` set, so the end of each
        partition is reported and a caught-up topic does not cost the whole time budget.
    :param inspect: applied to each chunk of messages as soon as it is read (its results go
        to ``batch.inspected``), so that work overlaps the client's fetching of the next chunk.
    """
    from confluent_kafka import KafkaError, TopicPartition

    partitions = topic_partitions(consumer, topic)
    # An assignment without an offset starts from the group's committed offset.
    consumer.assign([TopicPartition(topic, partition) for partition in partitions])
    batch = ConsumedBatch(topic, datetime.now(UTC).date().isoformat())
    deadline = clock() + max_seconds
    with _collector_paused():
        at_end: set[int] = set()
        while True:
            if len(batch.messages) >= max_records:
                batch.stopped_because = f"max_records ({max_records}) reached"
                break
            # Partitions already at their end (an empty one only ever says so by an end event)
            # are left out, so what waits in the others sizes the next call.
            progress = fetch_progress(consumer, topic, [p for p in partitions if p not in at_end])
            at_end |= progress.ended
            if len(at_end) == len(partitions):
                batch.stopped_because = "every partition read to its end"
                break
            remaining = deadline - clock()
            if remaining <= 0:
                batch.stopped_because = f"max_seconds ({max_seconds:g}) elapsed"
                break
            wanted = min(
                max_records - len(batch.messages), CONSUME_CHUNK, progress.waiting or CONSUME_CHUNK
            )
            received = consumer.consume(wanted, timeout=min(remaining, CONSUME_WAIT_SECONDS))
            chunk = [message for message in received if message.error() is None]
            if len(chunk) < len(received):  # an end of partition (or an error) among the messages
                for message in received:
                    error = message.error()
                    if error is None:
                        at_end.discard(message.partition())  # more came after that end
                    elif error.code() == KafkaError._PARTITION_EOF:
                        at_end.add(message.partition())
                    else:
                        raise KafkaSourceError(f"reading topic {topic!r} failed: {error}")
            elif at_end:
                at_end.difference_update({message.partition() for message in chunk})
            batch.messages += chunk
            if inspect is not None and chunk:
                batch.inspected.append(inspect(chunk))
    return batch


@dataclass(frozen=True)
class FetchProgress:
    """How far the caller has read what the client fetched, per the client's own bookkeeping.

    The client keeps each partition's high watermark from its latest fetch: a position at it
    is the end the client would report with an end-of-partition event, and the gap up to it
    is records fetched and waiting. Knowing both, ``consume`` asks for exactly what waits
    instead of blocking for a full chunk (or for the end events, which come last).
    """

    ended: set[int]
    waiting: int | None  # records fetched and not yet read; None if a partition is unknown


def fetch_progress(consumer: Any, topic: str, partitions: list[int]) -> FetchProgress:
    """Local calls only: nothing goes to the broker."""
    from confluent_kafka import TopicPartition

    ended: set[int] = set()
    waiting: int | None = 0
    for position in consumer.position([TopicPartition(topic, p) for p in partitions]):
        _, high = consumer.get_watermark_offsets(position, cached=True)
        if position.offset < 0 or high < 0:  # nothing read or fetched yet
            waiting = None
        elif position.offset >= high:
            ended.add(position.partition)
        elif waiting is not None:
            waiting += high - position.offset
    return FetchProgress(ended, waiting)


def commit_offsets(consumer: Any, topic: str, offsets: dict[int, int]) -> None:
    """Commit ``offsets`` for the consumer's group synchronously; raise if any failed."""
    from confluent_kafka import KafkaException, TopicPartition

    if not offsets:
        return
    wanted = [TopicPartition(topic, partition, offset) for partition, offset in offsets.items()]
    try:
        committed = consumer.commit(offsets=wanted, asynchronous=False)
    except KafkaException as error:
        raise KafkaSourceError(
            f"committing offsets {offsets} of {topic!r} failed: {error}"
        ) from error
    failed = [tp for tp in committed or [] if tp.error is not None]
    if failed:
        raise KafkaSourceError(
            f"committing offsets of {topic!r} failed for partitions "
            f"{[tp.partition for tp in failed]}: {failed[0].error}"
        )
