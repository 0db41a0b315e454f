"""Kafka → lake ingestion in explicit steps, so that neither a crash between any two nor a
second run at the same time loses or repeats a record.

One run is: ``consume`` (take the dataset's lease, finish what a crashed run left, then read a
bounded batch, each chunk checked against the record schema and turned into Arrow rows as it
arrives) → ``prepare`` it (drop records the lake already holds) → ``write_quarantine`` →
``send_dead_letters`` → ``write_valid`` → ``commit`` the offsets.

- **Exactly once in the lake.** Offsets are committed only after both Parquet writes returned
  (they are atomic and fsync'd), so a crash before the commit makes the next run read the same
  records again; ``prepare`` then drops every record whose topic, topic id, partition and
  offset the dataset or the quarantine dataset already holds (:mod:`airloom.ingest.kafka_rows`:
  a topic deleted and created again has a new id, so its records are new). Every valid record
  ends up in the dataset once, every malformed one in the quarantine dataset once.
- **Runs that overlap.** Only the run holding the dataset's lease changes anything (writes a
  file, sends dead letters, commits offsets), and the newest run to start holds it; an older
  run stops with :class:`IngestionSuperseded` at its next change
  (:mod:`airloom.ingest.kafka_lease`). File names hold the first record's coordinates and the
  run's token, and a write never replaces a file, so one run can never overwrite another's.
- **Dead letters once each.** They are made from the quarantine rows after those are durable,
  and a note kept while they are sent lets the next run send exactly the ones a crash cut off
  (:mod:`airloom.ingest.dead_letters`).
- **No leftovers.** In-flight files of a crashed write are deleted by the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airloom.ingest.dead_letters import DeadLetterOutbox
from airloom.ingest.kafka_lease import (
    LOCK_TIMEOUT_SECONDS,
    IngestionLease,
    IngestionSuperseded,
)
from airloom.ingest.kafka_rows import (
    IngestionError,
    batch_file_name,
    coordinate_arrays,
    not_in,
    quarantine_table,
    stored_coordinates,
)
from airloom.ingest.kafka_source import (
    ConsumedBatch,
    commit_offsets,
    consume_batch,
    topic_identity,
)
from airloom.ingest.records import INGEST_DATE, RecordSchema

if TYPE_CHECKING:
    import pyarrow as pa

    from airloom.hooks.kafka import KafkaHook

__all__ = [
    "CONSUMER_SETTINGS",
    "CheckedChunk",
    "IngestSummary",
    "IngestionError",
    "IngestionSuperseded",
    "KafkaIngestion",
    "PreparedBatch",
]

CONSUMER_SETTINGS = {
    "enable.partition.eof": True,  # a caught-up topic ends the batch instead of max_seconds
    "fetch.wait.max.ms": 50,  # the broker answers an empty fetch quickly, so the end shows soon
}
FILE_PREFIX = "kafka-"  # every batch file's name starts so (see ``batch_file_name``)


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
    quarantine_table: pa.Table | None = None
    quarantine_file: str = ""
    quarantine_files: list[str] = field(default_factory=list)  # once written
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
    dead_letters_recovered: int = 0  # sent for an earlier run that died while sending
    leftovers_removed: int = 0  # in-flight files of crashed writes

    def as_dict(self) -> dict[str, Any]:
        return {
            "consumed": self.consumed,
            "written": self.written,
            "quarantined": self.quarantined,
            "already_stored": self.already_stored,
            "committed_offsets": {str(p): o for p, o in sorted(self.committed.items())},
            "stopped_because": self.stopped_because,
            "dead_letters_recovered": self.dead_letters_recovered,
            "leftovers_removed": self.leftovers_removed,
        }


def _topic_exists(client: Any, topic: str) -> bool:
    """Asked before creating: where topics are managed (MSK), creating may be forbidden."""
    described = client.list_topics(topic, timeout=30).topics.get(topic)
    return described is not None and described.error is None and bool(described.partitions)


class KafkaIngestion:
    """Ingest one bounded batch of ``topic`` into a lake dataset; see the module docstring.

    Use it as a context manager (the consumer is closed on exit, never committing by itself),
    and either call :meth:`run` or the steps in order.

    :param run_label: says which run this is (an Airflow task instance) to a run it supersedes.
    :param lock_timeout: longest wait, in seconds, for another run's change to the dataset.
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
        run_label: str = "",
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
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
        self.lease = IngestionLease(dataset_uri, topic, run_label, lock_timeout)
        self.topic_id: str | None = None
        self.dead_letters_recovered = 0
        self.leftovers_removed = 0
        self._consumer: Any = None
        self._producer: Any = None
        self._admin: Any = None
        self._outbox: DeadLetterOutbox | None = None
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

    @property
    def outbox(self) -> DeadLetterOutbox:
        if self._outbox is None:
            self._outbox = DeadLetterOutbox(
                self.hook,
                self.dead_letter_topic,
                self.quarantine_uri,
                self.lease.bookkeeping.child(self.topic, "dead_letters"),
                producer=self._producer,
                admin=self._admin,
                group_id=self.group_id,
            )
        return self._outbox

    def consume(self) -> ConsumedBatch:
        """Take the dataset, finish what a crashed run left, then read a bounded batch."""
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
        if self.lease.name is None:
            self._admin = self.hook.admin()
            # The id is asked before reading: the records read are of this incarnation.
            self.topic_id = topic_identity(self._admin, self.topic)
            self.lease.take()  # from here on, older runs change nothing
            self.recover()
        return consume_batch(
            self._consumer,
            self.topic,
            self.max_records,
            self.max_seconds,
            inspect=self.check_chunk,
        )

    def recover(self) -> None:
        """Delete crashed writes' in-flight files; send dead letters a crash cut off."""
        from airloom.datasets import remove_leftovers_named

        with self.lease.held("clean up after earlier runs"):
            # Every batch write happens under the lease's lock, so none is in flight now.
            self.leftovers_removed = remove_leftovers_named(self.dataset_uri, FILE_PREFIX)
            self.leftovers_removed += remove_leftovers_named(self.quarantine_uri, FILE_PREFIX)
            self.dead_letters_recovered = self.outbox.recover()

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
        columns.update(coordinate_arrays(self.topic, self.topic_id, valid))
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
        stored = stored_coordinates(self.dataset_uri, self.topic, self.topic_id, ranges)
        stored |= stored_coordinates(self.quarantine_uri, self.topic, self.topic_id, ranges)
        if stored:  # only after a crash: records an earlier run wrote but did not commit
            tables = [table.filter(not_in(table, stored)) for table in tables]
            malformed = [
                (message, reason)
                for message, reason in malformed
                if (message.partition(), message.offset()) not in stored
            ]
        prepared.malformed = malformed
        valid_rows = sum(table.num_rows for table in tables)
        prepared.already_stored = len(batch.messages) - valid_rows - len(malformed)
        token = self.lease.token
        if valid_rows:
            table = pa.concat_tables(tables)
            prepared.valid_table = table.append_column(
                INGEST_DATE, pa.array([batch.ingest_date] * table.num_rows, pa.string())
            )
            prepared.valid_file = batch_file_name(self.topic, prepared.valid_table, token)
        if malformed:
            quarantined = quarantine_table(self.topic, self.topic_id, malformed, batch.ingest_date)
            prepared.quarantine_table = quarantined
            prepared.quarantine_file = batch_file_name(self.topic, quarantined, token)
        return prepared

    def write_quarantine(self, prepared: PreparedBatch) -> list[str]:
        """Write the malformed records, after noting that their dead letters are due."""
        from airloom.datasets import write_table

        if prepared.quarantine_table is None:
            return []
        with self.lease.held("write the quarantine dataset"):
            found = self._dead_letter_topic_found
            if not (
                found.result() if found else _topic_exists(self._producer, self.dead_letter_topic)
            ):
                self.hook.ensure_topic(self.dead_letter_topic)
            self.outbox.note(self.lease.token, prepared.quarantine_file)
            prepared.quarantine_files = write_table(
                prepared.quarantine_table,
                self.quarantine_uri,
                prepared.quarantine_file,
                partition_by=INGEST_DATE,
                replace=False,
            )
        return prepared.quarantine_files

    def send_dead_letters(self, prepared: PreparedBatch) -> int:
        """Send a dead letter per quarantined record; only after the quarantine write."""
        if prepared.quarantine_table is None:
            return 0
        if not prepared.quarantine_files:
            raise IngestionError("dead letters are sent only once the quarantine is written")
        with self.lease.held("send dead letters"):
            return self.outbox.send(self.lease.token, prepared.quarantine_table)

    def write_valid(self, prepared: PreparedBatch) -> list[str]:
        from airloom.datasets import write_table

        if prepared.valid_table is None:
            return []
        with self.lease.held("write the dataset"):
            return write_table(
                prepared.valid_table,
                self.dataset_uri,
                prepared.valid_file,
                partition_by=INGEST_DATE,
                replace=False,
            )

    def commit(self, batch: ConsumedBatch) -> dict[int, int]:
        offsets = batch.next_offsets()
        with self.lease.held("commit offsets"):
            commit_offsets(self._consumer, self.topic, offsets)
        return offsets

    def run(self) -> IngestSummary:
        batch = self.consume()
        prepared = self.prepare(batch)
        with self.lease.held("store the batch"):  # one hold of the lock for every change
            self.write_quarantine(prepared)
            self.send_dead_letters(prepared)
            self.write_valid(prepared)
            committed = self.commit(batch)
        return IngestSummary(
            consumed=len(batch.messages),
            written=prepared.written,
            quarantined=len(prepared.malformed),
            already_stored=prepared.already_stored,
            committed=committed,
            stopped_because=batch.stopped_because,
            dead_letters_recovered=self.dead_letters_recovered,
            leftovers_removed=self.leftovers_removed,
        )
