"""Rows to a Kinesis data stream through PutRecords: the logic behind ``kinesis_publish``.

PutRecords takes at most 500 records and 5 MiB per call, and each record at most 1 MiB (its
data and partition key together); rows are grouped into calls within those limits, and a row
too large for a record is refused before anything is sent. A call can succeed in part: each
failed record carries an ``ErrorCode`` (``ProvisionedThroughputExceededException`` when the
shard is at its write limit, ``InternalFailure``), and only those records are sent again,
after a randomised exponential back-off (tenacity), until none fails or the attempts run out.
A throttled or failed call as a whole is retried by botocore's adaptive retries.

Kinesis has no idempotent producer: a record whose success answer was lost is sent again, and
a retried task publishes its table again, so a stream can hold a record twice. A consumer
recognises repeats by an id of the record's own (``kinesis_ingest``'s ``record_id_field``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_RECORDS_PER_CALL = 500
MAX_BYTES_PER_CALL = 5 * 1024 * 1024
MAX_BYTES_PER_RECORD = 1024 * 1024
MAX_PARTITION_KEY_CHARS = 256
PAYLOAD_UNIT_BYTES = 25 * 1024  # PUT payload units are billed per 25 KB of a record
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 0.1  # the first back-off's scale; it doubles per attempt
MAX_BACKOFF_SECONDS = 5.0


class PublishError(RuntimeError):
    """Records could not be published; says which and why."""


@dataclass(frozen=True)
class OutgoingRecord:
    data: bytes
    partition_key: str
    row: int  # the row's index in the table, for messages

    @property
    def size(self) -> int:
        """What counts against the record and call size limits."""
        return len(self.data) + len(self.partition_key.encode())

    @property
    def payload_units(self) -> int:
        return max(1, -(-self.size // PAYLOAD_UNIT_BYTES))


def row_partition_key(value: Any, data: bytes) -> str:
    """The partition key of a row: its key column's value, or a hash of the row's JSON."""
    if value is None:
        return hashlib.md5(data, usedforsecurity=False).hexdigest()
    return value if isinstance(value, str) else str(value)


def record_problem(record: OutgoingRecord) -> str | None:
    """Why ``record`` cannot be sent, or None."""
    if not record.partition_key:
        return "its partition key is empty"
    if len(record.partition_key) > MAX_PARTITION_KEY_CHARS:
        return (
            f"its partition key has {len(record.partition_key)} characters; "
            f"Kinesis allows {MAX_PARTITION_KEY_CHARS}"
        )
    if record.size > MAX_BYTES_PER_RECORD:
        return f"it is {record.size} bytes as JSON; a Kinesis record holds {MAX_BYTES_PER_RECORD}"
    return None


def calls(
    records: Iterable[OutgoingRecord],
    max_records: int = MAX_RECORDS_PER_CALL,
    max_bytes: int = MAX_BYTES_PER_CALL,
) -> Iterator[list[OutgoingRecord]]:
    """``records`` grouped, in order, into PutRecords calls within both limits."""
    group: list[OutgoingRecord] = []
    size = 0
    for record in records:
        if group and (len(group) == max_records or size + record.size > max_bytes):
            yield group
            group, size = [], 0
        group.append(record)
        size += record.size
    if group:
        yield group


@dataclass
class PublishTally:
    records: int = 0
    calls: int = 0
    resent: int = 0  # records sent again after a partial failure
    payload_units: int = 0
    retries: int = 0  # whole calls retried by botocore (throttling)


def put_all(
    client: Any,
    stream: str,
    group: list[OutgoingRecord],
    tally: PublishTally,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
) -> None:
    """Put ``group`` (one call's worth) until every record succeeded; resend only failures.

    :raises PublishError: when records still fail after ``max_attempts`` calls.
    """
    from tenacity import Retrying, retry_if_result, stop_after_attempt, wait_random_exponential

    from airloom.aws_ai.clients import retries_of

    pending = list(group)
    errors: dict[str, int] = {}

    def send() -> list[OutgoingRecord]:
        nonlocal pending
        response = client.put_records(
            StreamName=stream,
            Records=[{"Data": r.data, "PartitionKey": r.partition_key} for r in pending],
        )
        tally.calls += 1
        tally.retries += retries_of(response)
        tally.payload_units += sum(r.payload_units for r in pending)
        failed = []
        errors.clear()
        for record, result in zip(pending, response["Records"], strict=True):
            if result.get("ErrorCode"):
                failed.append(record)
                errors[result["ErrorCode"]] = errors.get(result["ErrorCode"], 0) + 1
        tally.records += len(pending) - len(failed)
        tally.resent += len(failed)
        pending = failed
        return failed

    retrying = Retrying(
        stop=stop_after_attempt(max_attempts),
        wait=wait_random_exponential(multiplier=backoff, max=MAX_BACKOFF_SECONDS),
        retry=retry_if_result(bool),
        retry_error_callback=lambda state: state.outcome.result(),
    )
    left = retrying(send)
    if left:
        tally.resent -= len(left)
        summary = ", ".join(f"{count} {code}" for code, count in sorted(errors.items()))
        rows = ", ".join(str(record.row) for record in left[:10])
        raise PublishError(
            f"{len(left)} records to Kinesis stream {stream!r} still failed after "
            f"{max_attempts} attempts ({summary}); rows {rows}" + (" …" if len(left) > 10 else "")
        )


class TableRecords:
    """A lake table's rows as Kinesis records, read as they are needed (twice: once to check
    every row before anything is sent, once to send), never all held at once.

    :raises ValueError: naming the node and the columns that are missing.
    """

    def __init__(
        self,
        node_id: str,
        table: Any,
        lake_conn_id: str,
        columns: list[str] | None,
        partition_key_column: str | None,
    ) -> None:
        from airloom.datasets import dataset_schema

        uri = str(table).strip()
        if "://" not in uri:  # a bare dataset name: in the lake
            from airloom.lake import dataset_path

            uri = str(dataset_path(uri, lake_conn_id))
        schema = dataset_schema(uri)
        if schema is None:
            raise ValueError(f"node {node_id!r}: no dataset to publish at {uri}")
        self.wanted = list(columns or schema.names)
        needed = self.wanted + ([partition_key_column] if partition_key_column else [])
        unknown = [name for name in needed if name not in schema.names]
        if unknown:
            raise ValueError(
                f"node {node_id!r}: {uri} has no column {', '.join(map(repr, unknown))} "
                f"(it has {', '.join(schema.names)})"
            )
        self.node_id = node_id
        self.uri = uri
        self.read_columns = list(dict.fromkeys(needed))
        self.partition_key_column = partition_key_column

    def __iter__(self) -> Iterator[OutgoingRecord]:
        from airloom.datasets import read_batches
        from airloom.ingest.json_rows import row_json

        index = 0
        for batch in read_batches(self.uri, columns=self.read_columns):
            for row in batch.to_pylist():
                data = row_json({name: row[name] for name in self.wanted})
                key = row[self.partition_key_column] if self.partition_key_column else None
                yield OutgoingRecord(data, row_partition_key(key, data), index)
                index += 1

    def check(self) -> int:
        """Every row can be a record; returns how many rows there are.

        :raises ValueError: naming the node and the rows that cannot be records.
        """
        problems, rows = [], 0
        for record in self:
            rows += 1
            problem = record_problem(record)
            if problem:
                problems.append(f"row {record.row}: {problem}")
        if problems:
            shown = "; ".join(problems[:5]) + (
                f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
            )
            raise ValueError(
                f"node {self.node_id!r}: {len(problems)} rows cannot be Kinesis records, so "
                f"nothing was published: {shown}"
            )
        return rows
