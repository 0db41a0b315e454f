"""Kafka → lake ingestion in explicit steps, so that a crash between any two loses nothing.

One run is: ``consume`` a bounded batch (each chunk checked against the record schema and
turned into Arrow rows as it arrives) → ``prepare`` it (drop records the lake already holds) →
``send_dead_letters`` → ``write_quarantine`` → ``write_valid`` → ``commit`` the offsets.
Offsets are committed only after both Parquet writes returned (they are atomic and fsync'd),
so a crash before the commit makes the next run read the same records again; ``prepare`` then
drops every record whose (topic, partition, offset) is already in the dataset or the quarantine
dataset. Every valid record ends up in the dataset exactly once, every malformed one in the
quarantine dataset exactly once.

Dead letters are produced *before* the quarantine write, and a record already in the quarantine
dataset is never sent again. So the dead-letter topic can hold a record twice only after a crash
between its delivery and the quarantine write; each dead letter carries its source coordinates
(headers ``airloom.source.topic/partition/offset``) for consumers that must de-duplicate.

File names are ``kafka-<topic>-<partition>-<offset>`` of the first record a file holds: a record
is in at most one file, so names never collide, and the same batch rewritten replaces its file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airloom.ingest.kafka_source import (
    ConsumedBatch,
    commit_offsets,
    consume_batch,
    timestamp_ms,
)
from airloom.ingest.records import INGEST_DATE, RecordSchema

if TYPE_CHECKING:
    import pyarrow as pa

    from airloom.hooks.kafka import KafkaHook

REASON = "_reason"
CONSUMER_SETTINGS = {
    "enable.partition.eof": True,  # a caught-up topic ends the batch instead of max_seconds
    "fetch.wait.max.ms": 50,  # the broker answers an empty fetch quickly, so the end shows soon
}
COORDINATES = ("_kafka_partition", "_kafka_offset")


class IngestionError(RuntimeError):
    """Ingestion cannot proceed; nothing was committed."""


@dataclass
class CheckedChunk:
    """One chunk of messages sorted: valid records already as Arrow rows, malformed with why."""

    table: pa.Table | None  # the record's columns and the _kafka_* columns
    malformed: list[tuple[Any, str]]  # (message, reason)


@dataclass
class PreparedBatch:
    """What a batch adds to the lake: only records the lake does not hold yet."""

    batch: ConsumedBatch
    valid_table: pa.Table | None = None
    valid_file: str = ""
    malformed: list[tuple[Any, str]] = field(default_factory=list)  # (message, reason)
    already_stored: int = 0

    @property
    def written(self) -> int:
        return 0 if self.valid_table is None else self.valid_table.num_rows


@dataclass(frozen=True)
class IngestSummary:
    consumed: int
    written: int
    quarantined: int
    already_stored: int
    committed: dict[int, int]
    stopped_because: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "consumed": self.consumed,
            "written": self.written,
            "quarantined": self.quarantined,
            "already_stored": self.already_stored,
            "committed_offsets": {str(p): o for p, o in sorted(self.committed.items())},
            "stopped_because": self.stopped_because,
        }


def stored_coordinates(
    dataset_uri: str, topic: str, ranges: Mapping[int, tuple[int, int]]
) -> set[tuple[int, int]]:
    """The (partition, offset) pairs within ``ranges`` that the dataset already holds.

    Only the three coordinate columns are read, filtered to the batch's offset range, so
    Parquet statistics skip every file written by earlier batches.
    """
    import pyarrow.dataset as ds

    from airloom.datasets import dataset_schema, read_table

    schema = dataset_schema(dataset_uri)
    if not ranges or schema is None:
        return set()
    missing = [name for name in ("_kafka_topic", *COORDINATES) if name not in schema.names]
    if missing:
        raise IngestionError(
            f"dataset {dataset_uri} has no column {', '.join(missing)}: it holds data not "
            "written by Kafka ingestion, so records already ingested cannot be recognised; "
            "ingest into another dataset"
        )
    in_range = None
    for partition, (low, high) in ranges.items():
        condition = (
            (ds.field("_kafka_partition") == partition)
            & (ds.field("_kafka_offset") >= low)
            & (ds.field("_kafka_offset") <= high)
        )
        in_range = condition if in_range is None else in_range | condition
    held = read_table(
        dataset_uri, columns=list(COORDINATES), where=(ds.field("_kafka_topic") == topic) & in_range
    )
    if held.num_rows == 0:
        return set()
    return set(
        zip(held["_kafka_partition"].to_pylist(), held["_kafka_offset"].to_pylist(), strict=True)
    )


def _coordinate_arrays(topic: str, messages: Sequence[Any]) -> dict[str, pa.Array]:
    """The ``_kafka_*`` columns for ``messages``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # (type, ms) pairs; type 0 means the broker gave no timestamp.
    stamps = [m.timestamp() for m in messages]
    given = pa.array([kind != 0 and ms >= 0 for kind, ms in stamps], pa.bool_())
    millis = pa.array([ms for _, ms in stamps], pa.int64())
    return {
        "_kafka_topic": pa.array([topic] * len(messages), pa.string()),
        "_kafka_partition": pa.array([m.partition() for m in messages], pa.int32()),
        "_kafka_offset": pa.array([m.offset() for m in messages], pa.int64()),
        "_kafka_timestamp": pc.if_else(given, millis, pa.scalar(None, pa.int64())).cast(
            pa.timestamp("ms", tz="UTC")
        ),
    }


def _topic_exists(client: Any, topic: str) -> bool:
    """Asked before creating: where topics are managed (MSK), creating may be forbidden."""
    described = client.list_topics(topic, timeout=30).topics.get(topic)
    return described is not None and described.error is None and bool(described.partitions)


def _not_in(table: pa.Table, coordinates: set[tuple[int, int]]) -> pa.Array:
    """A mask keeping the rows whose (partition, offset) is not among ``coordinates``."""
    import pyarrow as pa

    pairs = zip(
        table["_kafka_partition"].to_pylist(), table["_kafka_offset"].to_pylist(), strict=True
    )
    return pa.array([pair not in coordinates for pair in pairs], pa.bool_())


def file_name(topic: str, coordinates: Mapping[str, pa.Array] | pa.Table) -> str:
    """Named after the file's first message: a message is in one file only, names never clash."""
    import pyarrow.compute as pc

    partitions, offsets = coordinates["_kafka_partition"], coordinates["_kafka_offset"]
    partition = pc.min(partitions).as_py()
    offset = pc.min(offsets.filter(pc.equal(partitions, partition))).as_py()
    return f"kafka-{topic}-{partition}-{offset}"


class KafkaIngestion:
    """Ingest one bounded batch of ``topic`` into a lake dataset; see the module docstring.

    Use it as a context manager (the consumer is closed on exit, never committing by itself),
    and either call :meth:`run` or the steps in order.
    """

    def __init__(
        self,
        hook: KafkaHook,
        *,
        topic: str,
        record_schema: RecordSchema,
        dataset_uri: str,
        quarantine_uri: str,
        group_id: str,
        dead_letter_topic: str,
        max_records: int,
        max_seconds: float,
    ) -> None:
        self.hook = hook
        self.topic = topic
        self.schema = record_schema
        self.dataset_uri = dataset_uri
        self.quarantine_uri = quarantine_uri
        self.group_id = group_id
        self.dead_letter_topic = dead_letter_topic
        self.max_records = max_records
        self.max_seconds = max_seconds
        self._consumer: Any = None
        self._producer: Any = None
        self._lookups: ThreadPoolExecutor | None = None
        self._dead_letter_topic_found: Future[bool] | None = None

    def __enter__(self) -> KafkaIngestion:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Leave without committing: the next run reads uncommitted records again."""
        if self._lookups is not None:
            self._lookups.shutdown()  # the lookup uses the producer: let it finish first
            self._lookups = None
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
        if self._producer is not None:
            # Dead letters were flushed when sent; nothing else is pending.
            close = getattr(self._producer, "close", None)  # older clients have no close()
            if close is not None:
                close()
            self._producer = None

    def consume(self) -> ConsumedBatch:
        if self._consumer is None:
            self._consumer = self.hook.consumer(self.group_id, **CONSUMER_SETTINGS)
        if self._producer is None:
            # An idempotent producer asks for its id on a 500 ms timer, and only once it is
            # connected: started now and connected at once by looking up the dead-letter topic
            # (beside the reading), it has its id by the time dead letters are due.
            self._producer = self.hook.producer()
            self._lookups = ThreadPoolExecutor(1, thread_name_prefix="airloom-kafka-lookup")
            self._dead_letter_topic_found = self._lookups.submit(
                _topic_exists, self._producer, self.dead_letter_topic
            )
        return consume_batch(
            self._consumer,
            self.topic,
            self.max_records,
            self.max_seconds,
            inspect=self.check_chunk,
        )

    def check_chunk(self, messages: Sequence[Any]) -> CheckedChunk:
        """Sort one chunk as it is read: this per-record work overlaps the next fetch."""
        import pyarrow as pa

        checks = self.schema.check_many([message.value() for message in messages])
        valid, values, malformed = [], [], []
        for message, checked in zip(messages, checks, strict=True):
            if type(checked) is dict:
                valid.append(message)
                values.append(checked)
            else:
                malformed.append((message, checked))
        arrays, unfit = self.schema.to_arrays(values)
        if any(unfit):  # schema-valid, yet a value does not fit its column
            malformed += [(m, why) for m, why in zip(valid, unfit, strict=True) if why]
            valid = [m for m, why in zip(valid, unfit, strict=True) if not why]
        if not valid:
            return CheckedChunk(None, malformed)
        columns = dict(zip([c.name for c in self.schema.columns], arrays, strict=True))
        columns.update(_coordinate_arrays(self.topic, valid))
        return CheckedChunk(pa.table(columns), malformed)

    def prepare(self, batch: ConsumedBatch) -> PreparedBatch:
        import pyarrow as pa

        prepared = PreparedBatch(batch)
        chunks: list[CheckedChunk] = batch.inspected
        if not chunks and batch.messages:  # consumed without checking as it read
            chunks = [self.check_chunk(batch.messages)]
        tables = [chunk.table for chunk in chunks if chunk.table is not None]
        malformed = [item for chunk in chunks for item in chunk.malformed]
        ranges = batch.offset_ranges()
        stored = stored_coordinates(self.dataset_uri, self.topic, ranges)
        stored |= stored_coordinates(self.quarantine_uri, self.topic, ranges)
        if stored:  # only after a crash: records an earlier run wrote but did not commit
            tables = [table.filter(_not_in(table, stored)) for table in tables]
            malformed = [
                (message, reason)
                for message, reason in malformed
                if (message.partition(), message.offset()) not in stored
            ]
        prepared.malformed = malformed
        valid_rows = sum(table.num_rows for table in tables)
        prepared.already_stored = len(batch.messages) - valid_rows - len(malformed)
        if valid_rows:
            table = pa.concat_tables(tables)
            prepared.valid_table = table.append_column(
                INGEST_DATE, pa.array([batch.ingest_date] * table.num_rows, pa.string())
            )
            prepared.valid_file = file_name(self.topic, prepared.valid_table)
        return prepared

    def send_dead_letters(self, prepared: PreparedBatch) -> int:
        from airloom.ingest.producing import OutgoingMessage, deliver_all

        if not prepared.malformed:
            return 0
        if self._producer is None:
            self._producer = self.hook.producer()
        found = self._dead_letter_topic_found
        if not (found.result() if found else _topic_exists(self._producer, self.dead_letter_topic)):
            self.hook.ensure_topic(self.dead_letter_topic)
        letters = (
            OutgoingMessage(
                value=message.value(),
                key=message.key(),
                headers=[
                    ("airloom.reason", reason.encode()),
                    ("airloom.source.topic", self.topic.encode()),
                    ("airloom.source.partition", str(message.partition()).encode()),
                    ("airloom.source.offset", str(message.offset()).encode()),
                    ("airloom.source.timestamp", str(timestamp_ms(message) or "").encode()),
                ],
            )
            for message, reason in prepared.malformed
        )
        return deliver_all(self._producer, self.dead_letter_topic, letters)

    def write_quarantine(self, prepared: PreparedBatch) -> list[str]:
        import pyarrow as pa

        from airloom.datasets import write_table

        if not prepared.malformed:
            return []
        messages = [message for message, _ in prepared.malformed]
        columns = _coordinate_arrays(self.topic, messages)
        name = file_name(self.topic, columns)
        columns["_key"] = pa.array([message.key() for message in messages], pa.binary())
        columns["_value"] = pa.array([message.value() for message in messages], pa.binary())
        columns[REASON] = pa.array([reason for _, reason in prepared.malformed], pa.string())
        columns[INGEST_DATE] = pa.array([prepared.batch.ingest_date] * len(messages))
        return write_table(
            pa.table(columns),
            self.quarantine_uri,
            name,
            partition_by=INGEST_DATE,
        )

    def write_valid(self, prepared: PreparedBatch) -> list[str]:
        from airloom.datasets import write_table

        if prepared.valid_table is None:
            return []
        return write_table(
            prepared.valid_table,
            self.dataset_uri,
            prepared.valid_file,
            partition_by=INGEST_DATE,
        )

    def commit(self, batch: ConsumedBatch) -> dict[int, int]:
        offsets = batch.next_offsets()
        commit_offsets(self._consumer, self.topic, offsets)
        return offsets

    def run(self) -> IngestSummary:
        batch = self.consume()
        prepared = self.prepare(batch)
        self.send_dead_letters(prepared)
        self.write_quarantine(prepared)
        self.write_valid(prepared)
        committed = self.commit(batch)
        summary = IngestSummary(
            consumed=len(batch.messages),
            written=prepared.written,
            quarantined=len(prepared.malformed),
            already_stored=prepared.already_stored,
            committed=committed,
            stopped_because=batch.stopped_because,
        )
        return summary
