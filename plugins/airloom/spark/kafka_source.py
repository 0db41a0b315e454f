"""Read Kafka in Spark Structured Streaming without Spark's Kafka jar (Python Data Source API).

Spark's own ``kafka`` format needs the spark-sql-kafka connector jar; where it is missing this
source, registered as ``airloom_kafka``, reads the same topics with confluent-kafka. It mirrors
the built-in format so callers can switch freely (see :mod:`airloom.spark.streams`):

- the same schema: ``key`` and ``value`` (binary), ``topic``, ``partition``, ``offset``,
  ``timestamp``, ``timestampType``;
- the same options: ``subscribe`` (one topic), ``startingOffsets`` (``earliest``/``latest``),
  ``maxOffsetsPerTrigger``, and ``kafka.<setting>`` for the client's settings
  (``kafka.bootstrap.servers`` …);
- offsets as ``{"topic": {"partition": next_offset}}``, kept in the query's checkpoint, so a
  restarted query resumes exactly after the last committed batch. Nothing is committed to Kafka.

``Trigger.AvailableNow`` reads up to the offsets present when the query starts, then stops.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.streaming.datasource import (
    ReadAllAvailable,
    ReadLimit,
    ReadMaxRows,
    SupportsTriggerAvailableNow,
)

SOURCE_NAME = "airloom_kafka"
SCHEMA = (
    "key BINARY, value BINARY, topic STRING, partition INT, offset BIGINT, "
    "timestamp TIMESTAMP, timestampType INT"
)
CLIENT_PREFIX = "kafka."
POLL_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 120.0

Offsets = dict[str, dict[str, int]]  # topic -> partition (as text: JSON keys) -> next offset


class KafkaSourceError(RuntimeError):
    pass


def client_config(options: dict[str, str]) -> dict[str, str]:
    """The confluent-kafka settings among the source's options (``kafka.*``, prefix removed)."""
    return {
        key[len(CLIENT_PREFIX) :]: value
        for key, value in options.items()
        if key.startswith(CLIENT_PREFIX)
    }


@dataclass(frozen=True)
class KafkaRange(InputPartition):
    """One Spark task's work: a partition's offsets from ``start`` up to (not including) ``end``."""

    topic: str
    partition: int
    start: int
    end: int


class KafkaStreamReader(DataSourceStreamReader, SupportsTriggerAvailableNow):
    def __init__(self, options: dict[str, str]) -> None:
        # Spark hands options over case-insensitively (lower-cased keys); so does this reader.
        options = {key.lower(): value for key, value in options.items()}
        self.config = client_config(options)
        if "bootstrap.servers" not in self.config:
            raise KafkaSourceError("option kafka.bootstrap.servers is required")
        self.topic = options.get("subscribe") or options.get("topic") or ""
        if not self.topic or "," in self.topic:
            raise KafkaSourceError("option subscribe must name exactly one topic")
        self.starting = (options.get("startingoffsets") or "latest").lower()
        if self.starting not in ("earliest", "latest"):
            raise KafkaSourceError(
                f"startingOffsets must be 'earliest' or 'latest', not {self.starting!r}"
            )
        # Spark's groupIdPrefix names the consumer group of the offsets' lookups here too.
        self.group_id = f"{options.get('groupidprefix') or 'airloom-spark'}-offsets"
        max_offsets = options.get("maxoffsetspertrigger")
        self.max_offsets = int(max_offsets) if max_offsets else None
        self.target: Offsets | None = None  # the end of an AvailableNow run
        self._consumer: Any = None

    # The driver side: offsets and planning.

    def _metadata_consumer(self) -> Any:
        if self._consumer is None:
            from confluent_kafka import Consumer

            self._consumer = Consumer(
                {
                    **self.config,
                    "group.id": self.group_id,
                    "enable.auto.commit": False,
                    "enable.partition.eof": True,
                }
            )
        return self._consumer

    def _watermarks(self) -> dict[int, tuple[int, int]]:
        """Each partition's (first offset, next offset to be written)."""
        from confluent_kafka import TopicPartition

        consumer = self._metadata_consumer()
        topics = consumer.list_topics(self.topic, timeout=30).topics
        metadata = topics.get(self.topic)
        if metadata is None or metadata.error is not None or not metadata.partitions:
            reason = metadata.error if metadata is not None else "not found"
            raise KafkaSourceError(f"topic {self.topic!r} is not readable: {reason}")
        listed = {
            partition: consumer.get_watermark_offsets(
                TopicPartition(self.topic, partition), timeout=30
            )
            for partition in sorted(metadata.partitions)
        }
        ends = self._fetched_ends({p: high for p, (_, high) in listed.items()})
        return {p: (low, ends[p]) for p, (low, _) in listed.items()}

    def _fetched_ends(self, listed: dict[int, int]) -> dict[int, int]:
        """The end of each partition as a fetch from ``listed`` sees it.

        Some Kafka-compatible brokers (Tansu) answer ListOffsets(latest) with the start of the
        last record batch plus one; the end-of-partition event of a fetch carries the true
        high watermark. On Kafka itself the fetch starts at the end and returns no records.
        """
        from confluent_kafka import KafkaError, TopicPartition

        consumer = self._metadata_consumer()
        consumer.assign([TopicPartition(self.topic, p, offset) for p, offset in listed.items()])
        ends: dict[int, int] = {}
        deadline = time.monotonic() + READ_TIMEOUT_SECONDS
        try:
            while len(ends) < len(listed):
                if time.monotonic() > deadline:
                    raise KafkaSourceError(
                        f"topic {self.topic!r}: no end of partition seen for "
                        f"{sorted(set(listed) - set(ends))} in {READ_TIMEOUT_SECONDS:.0f} s"
                    )
                message = consumer.poll(POLL_SECONDS)
                if message is None or message.error() is None:
                    continue
                if message.error().code() != KafkaError._PARTITION_EOF:
                    raise KafkaSourceError(f"topic {self.topic!r}: {message.error()}")
                ends[message.partition()] = max(message.offset(), listed[message.partition()])
        finally:
            consumer.unassign()
        return ends

    def _current(self, end_of: str) -> Offsets:
        index = 0 if end_of == "earliest" else 1
        marks = self._watermarks()
        return {self.topic: {str(p): marks[p][index] for p in marks}}

    def initialOffset(self) -> Offsets:
        return self._current(self.starting)

    def prepareForTriggerAvailableNow(self) -> None:
        self.target = self._current("latest")

    def getDefaultReadLimit(self) -> ReadLimit:
        return ReadMaxRows(self.max_offsets) if self.max_offsets else ReadAllAvailable()

    def reportLatestOffset(self) -> Offsets:
        return self._current("latest")

    def latestOffset(self, start: Offsets, limit: ReadLimit) -> Offsets:
        marks = self._watermarks()
        newest = (self.target or {}).get(self.topic) or {str(p): marks[p][1] for p in marks}
        # A partition missing from ``start`` is new since the query began: read it all.
        begin = {**{str(p): marks[p][0] for p in marks}, **start.get(self.topic, {})}
        end = {p: max(begin.get(p, 0), newest[p]) for p in newest}
        if isinstance(limit, ReadMaxRows):
            end = _capped(begin, end, limit.max_rows)
        return {self.topic: end}

    def partitions(self, start: Offsets, end: Offsets) -> list[KafkaRange]:
        begin = start.get(self.topic, {})
        ranges = []
        for partition, stop in sorted(end.get(self.topic, {}).items(), key=lambda i: int(i[0])):
            first = begin.get(partition, 0)
            if stop > first:
                ranges.append(KafkaRange(self.topic, int(partition), first, stop))
        return ranges

    def commit(self, end: Offsets) -> None:
        """Nothing to do: the checkpoint holds the offsets, Kafka's group offsets are unused."""

    def stop(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None

    # The executor side: read one range. Static in spirit: no state survives between calls.

    def read(self, partition: KafkaRange) -> Iterator[tuple]:  # type: ignore[override]
        from confluent_kafka import Consumer, KafkaError, TopicPartition

        consumer = Consumer(
            {
                **self.config,
                "group.id": "airloom-spark-reader",
                "enable.auto.commit": False,
                "enable.partition.eof": True,
            }
        )
        try:
            consumer.assign([TopicPartition(partition.topic, partition.partition, partition.start)])
            position = partition.start
            idle_since = datetime.now(UTC)
            while position < partition.end:
                message = consumer.poll(POLL_SECONDS)
                at_end = message is not None and message.error() is not None
                at_end = at_end and message.error().code() == KafkaError._PARTITION_EOF
                if at_end and message.offset() >= partition.end:
                    break  # the range ends in a gap (compaction, transaction markers)
                if message is None or at_end:
                    waited = (datetime.now(UTC) - idle_since).total_seconds()
                    if waited > READ_TIMEOUT_SECONDS:
                        raise KafkaSourceError(
                            f"{partition.topic}[{partition.partition}]: no record after offset "
                            f"{position - 1} in {READ_TIMEOUT_SECONDS:.0f} s, expected records up "
                            f"to {partition.end - 1}"
                        )
                    continue
                if message.error():
                    raise KafkaSourceError(
                        f"{partition.topic}[{partition.partition}]@{position}: {message.error()}"
                    )
                idle_since = datetime.now(UTC)
                offset = message.offset()
                if offset >= partition.end:
                    break
                position = offset + 1
                kind, millis = message.timestamp()
                yield (
                    message.key(),
                    message.value(),
                    message.topic(),
                    message.partition(),
                    offset,
                    datetime.fromtimestamp(millis / 1000, UTC) if millis >= 0 else None,
                    kind,
                )
        finally:
            consumer.close()


def _capped(begin: dict[str, int], end: dict[str, int], budget: int) -> dict[str, int]:
    """Move at most ``budget`` offsets forward in total, sharing them out across partitions."""
    capped = {p: begin.get(p, 0) for p in end}
    remaining = budget
    pending = [p for p in end if end[p] > capped[p]]
    while remaining > 0 and pending:
        share = max(1, remaining // len(pending))
        for p in list(pending):
            step = min(share, end[p] - capped[p], remaining)
            capped[p] += step
            remaining -= step
            if capped[p] >= end[p]:
                pending.remove(p)
            if remaining == 0:
                break
    return capped


class KafkaDataSource(DataSource):
    """``spark.readStream.format("airloom_kafka")``: Kafka through confluent-kafka."""

    @classmethod
    def name(cls) -> str:
        return SOURCE_NAME

    def schema(self) -> str:
        return SCHEMA

    def streamReader(self, schema: Any) -> KafkaStreamReader:
        return KafkaStreamReader(dict(self.options))
