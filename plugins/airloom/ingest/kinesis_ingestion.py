"""Kinesis → lake ingestion, exactly once: the logic behind ``kinesis_ingest``.

One run, holding the dataset's lock throughout (``<dataset>/_airloom_kinesis/lock``):

1. **recover**: delete what a crashed run wrote ahead of its commit (in-flight files, and
   quarantine files whose batch never committed);
2. **read** every shard from the committed checkpoint (:mod:`airloom.ingest.kinesis_reading`);
3. **sort** the records: each must be a JSON object satisfying the record schema; valid ones
   become typed rows, malformed ones quarantine rows with their ``_reason``; with a
   ``record_id_field``, a record whose id the dataset already holds (or that repeats in the
   batch) is dropped as a duplicate, which is how republished records are recognised;
4. **write the quarantine file**, marked pending with the batch's token;
5. **commit**: write the valid rows' file, whose footer holds the advanced checkpoint
   (:mod:`airloom.ingest.kinesis_checkpoints`); a batch without valid rows commits with a file
   of none.

A crash before step 5 leaves the old checkpoint: the next run deletes the pending quarantine
file and reads the same records again. A crash after it leaves nothing to redo. So every
valid record lands once and every malformed one is quarantined once. File names hold the
run's token and a write never replaces a file. The lock is the local lake's; on S3, Airflow's
one-task-at-a-time limit (``max_active_tis_per_dag=1``) keeps a node's runs apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from airloom.ingest.bookkeeping import Bookkeeping
from airloom.ingest.kinesis_checkpoints import (
    CHECKPOINT_KEY,
    PENDING_KEY,
    Checkpoint,
    committed_checkpoint,
    uncommitted_files,
)
from airloom.ingest.kinesis_reading import ReadRecord, StreamReader, stream_incarnation
from airloom.ingest.records import INGEST_DATE, RecordSchema

if TYPE_CHECKING:
    import pyarrow as pa

BOOKKEEPING = "_airloom_kinesis"
FILE_PREFIX = "kinesis-"
LOCK_TIMEOUT_SECONDS = 300.0
REASON = "_reason"
KINESIS_COLUMNS = (
    "_kinesis_stream",
    "_kinesis_shard_id",
    "_kinesis_sequence_number",
    "_kinesis_partition_key",
    "_kinesis_arrival_time",
)


@dataclass(frozen=True)
class KinesisIngestSummary:
    read: int
    written: int
    quarantined: int
    duplicates: int
    checkpoint: dict[str, str]
    stopped_because: str
    shards_waiting: list[str]
    removed_uncommitted: int
    get_records_calls: int
    bytes_read: int
    retries: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "written": self.written,
            "quarantined": self.quarantined,
            "duplicates": self.duplicates,
            "checkpoint": self.checkpoint,
            "stopped_because": self.stopped_because,
            "shards_waiting": self.shards_waiting,
            "removed_uncommitted": self.removed_uncommitted,
        }


def coordinate_arrays(stream: str, records: Sequence[ReadRecord]) -> dict[str, pa.Array]:
    """The ``_kinesis_*`` columns of ``records``."""
    import pyarrow as pa

    return {
        "_kinesis_stream": pa.array([stream] * len(records), pa.string()),
        "_kinesis_shard_id": pa.array([r.shard_id for r in records], pa.string()),
        # Sequence numbers run to 56 digits or more: kept exact, as text.
        "_kinesis_sequence_number": pa.array([r.sequence_number for r in records], pa.string()),
        "_kinesis_partition_key": pa.array([r.partition_key for r in records], pa.string()),
        "_kinesis_arrival_time": pa.array(
            [r.arrival for r in records], pa.timestamp("ms", tz="UTC")
        ),
    }


class KinesisIngestion:
    """Ingest one bounded batch of ``stream`` into a lake dataset; see the module docstring.

    :param client: a boto3 Kinesis client (adaptive retries).
    :param record_id_field: a record property identifying a record across republishing; its
        repeats are dropped.
    """

    def __init__(
        self,
        client: Any,
        *,
        stream: str,
        record_schema: RecordSchema,
        dataset_uri: str,
        quarantine_uri: str,
        max_records: int,
        max_seconds: float,
        record_id_field: str | None = None,
    ) -> None:
        self.client = client
        self.stream = stream
        self.schema = record_schema
        self.dataset_uri = dataset_uri
        self.quarantine_uri = quarantine_uri
        self.reader = StreamReader(client, stream, max_records, max_seconds)
        self.record_id_field = record_id_field
        self.token = uuid.uuid4().hex[:16]

    def run(self) -> KinesisIngestSummary:
        incarnation = stream_incarnation(self.client, self.stream)  # before touching the lake
        with Bookkeeping(self.dataset_uri, BOOKKEEPING).locked(LOCK_TIMEOUT_SECONDS):
            checkpoint, committed = committed_checkpoint(
                [self.dataset_uri], self.stream, incarnation
            )
            removed = self.recover(committed)
            batch = self.reader.read(checkpoint)
            valid, malformed, duplicates = self.sort(batch.records)
            advanced = checkpoint.advanced(batch.last_read)
            if batch.records:
                self.write_quarantine(malformed)
                self.commit(valid, advanced)
        return KinesisIngestSummary(
            read=len(batch.records),
            written=0 if valid is None else valid.num_rows,
            quarantined=len(malformed),
            duplicates=duplicates,
            checkpoint=dict(advanced.shards),
            stopped_because=batch.stopped_because,
            shards_waiting=batch.shards_waiting,
            removed_uncommitted=removed,
            get_records_calls=batch.get_records_calls,
            bytes_read=batch.bytes_read,
            retries=batch.retries,
        )

    def recover(self, committed: set[str]) -> int:
        """Delete files a crashed run wrote ahead of its commit; return how many."""
        from airloom.datasets import data_files, remove_leftovers_named

        removed = remove_leftovers_named(self.dataset_uri, FILE_PREFIX)
        removed += remove_leftovers_named(self.quarantine_uri, FILE_PREFIX)
        orphans = set(uncommitted_files(self.quarantine_uri, committed))
        if orphans:
            from airloom.ingest.bookkeeping import filesystem_of

            filesystem, _ = filesystem_of(self.quarantine_uri)
            for path in data_files(self.quarantine_uri):
                if path.rsplit("/", 1)[-1] in orphans:
                    filesystem.delete_file(path)
                    removed += 1
        return removed

    def sort(
        self, records: Sequence[ReadRecord]
    ) -> tuple[pa.Table | None, list[tuple[ReadRecord, str]], int]:
        """Valid rows (duplicates dropped), malformed records with why, and the duplicates."""
        import pyarrow as pa

        checks = self.schema.check_many([record.data for record in records])
        valid: list[ReadRecord] = []
        values: list[dict[str, Any]] = []
        malformed: list[tuple[ReadRecord, str]] = []
        for record, checked in zip(records, checks, strict=True):
            if type(checked) is dict:
                valid.append(record)
                values.append(checked)
            else:
                malformed.append((record, checked))
        duplicates = 0
        if self.record_id_field is not None and valid:
            keep = self._first_sightings([value.get(self.record_id_field) for value in values])
            duplicates = len(valid) - sum(keep)
            valid = [record for record, kept in zip(valid, keep, strict=True) if kept]
            values = [value for value, kept in zip(values, keep, strict=True) if kept]
        arrays, unfit = self.schema.to_arrays(values)
        if any(unfit):  # schema-valid, yet a value does not fit its column
            malformed += [(r, why) for r, why in zip(valid, unfit, strict=True) if why]
            valid = [r for r, why in zip(valid, unfit, strict=True) if not why]
        if not valid:
            return None, malformed, duplicates
        columns = dict(zip([c.name for c in self.schema.columns], arrays, strict=True))
        columns.update(coordinate_arrays(self.stream, valid))
        return pa.table(columns), malformed, duplicates

    def _first_sightings(self, ids: list[Any]) -> list[bool]:
        """Per id, whether it is new: not in the dataset, nor earlier in the batch."""
        import pyarrow.dataset as ds

        from airloom.datasets import dataset_schema, read_table

        column = self.record_id_field
        held: set[Any] = set()
        schema = dataset_schema(self.dataset_uri)
        present = [value for value in ids if value is not None]
        if schema is not None and column in schema.names and present:
            found = read_table(
                self.dataset_uri, columns=[column], where=ds.field(column).isin(present)
            )
            held = set(found[column].to_pylist())
        keep = []
        for value in ids:
            keep.append(value is None or value not in held)
            if value is not None:
                held.add(value)
        return keep

    def _ingest_date(self) -> str:
        return datetime.now(UTC).date().isoformat()

    def write_quarantine(self, malformed: list[tuple[ReadRecord, str]]) -> list[str]:
        """The malformed records, pending until the batch commits."""
        import pyarrow as pa

        from airloom.datasets import write_table

        if not malformed:
            return []
        records = [record for record, _ in malformed]
        columns = coordinate_arrays(self.stream, records)
        columns["_value"] = pa.array([record.data for record in records], pa.binary())
        columns[REASON] = pa.array([reason for _, reason in malformed], pa.string())
        columns[INGEST_DATE] = pa.array([self._ingest_date()] * len(records), pa.string())
        return write_table(
            pa.table(columns),
            self.quarantine_uri,
            f"{FILE_PREFIX}{self.token}",
            partition_by=INGEST_DATE,
            file_metadata={PENDING_KEY: self.token},
            replace=False,
        )

    def commit(self, valid: pa.Table | None, advanced: Checkpoint) -> list[str]:
        """Write the valid rows with the advanced checkpoint in their footer: the commit."""
        import pyarrow as pa

        from airloom.datasets import write_table

        footer = {CHECKPOINT_KEY: advanced.encode(self.token)}
        name = f"{FILE_PREFIX}{self.token}"
        if valid is None:  # nothing valid to land, yet the shards moved on
            schema = self.schema.arrow_schema()
            for column, array in coordinate_arrays(self.stream, []).items():
                schema = schema.append(pa.field(column, array.type))
            empty = schema.empty_table()
            return write_table(empty, self.dataset_uri, name, file_metadata=footer, replace=False)
        dated = valid.append_column(
            INGEST_DATE, pa.array([self._ingest_date()] * valid.num_rows, pa.string())
        )
        return write_table(
            dated,
            self.dataset_uri,
            name,
            partition_by=INGEST_DATE,
            file_metadata=footer,
            replace=False,
        )
