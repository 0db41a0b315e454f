"""Reading a bounded batch of a Kinesis data stream: every shard from its checkpoint to its
current end, parents before children, paced to the per-shard read limits.

Each shard is read from just after its checkpoint's sequence number (``AFTER_SEQUENCE_NUMBER``)
or, never read before, from its trim horizon, until it reaches its current end: no next
iterator (a closed shard read to its end) or ``MillisBehindLatest`` 0 (an open one caught up).
A child shard is read only once each of its parents still listed was read to its end in the
same run, so a key's records land in order across a reshard. A closed shard is asked again
on every run while the stream lists it (one call): that costs little and never skips a record.

Kinesis allows 5 GetRecords calls and 2 MB per second per shard: each shard's calls wait for a
slot of 5 per second (:class:`airloom.aws_ai.pacing.Pace`) and, after a large read, for the
time 2 MB/s takes to carry it. A throttled call (``ProvisionedThroughputExceededException``)
is retried by botocore's adaptive retries (:func:`airloom.aws_ai.clients.retry_config`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from airloom.aws_ai.pacing import Pace
from airloom.ingest.kinesis_checkpoints import Checkpoint, ShardInfo, read_order

GET_RECORDS_PER_SECOND = 5  # per shard
READ_BYTES_PER_SECOND = 2 * 1024 * 1024  # per shard
GET_RECORDS_LIMIT = 10_000  # most records one GetRecords call returns


@dataclass(frozen=True)
class ReadRecord:
    shard_id: str
    sequence_number: str
    partition_key: str
    data: bytes
    arrival: Any  # a datetime (ApproximateArrivalTimestamp)


@dataclass
class ReadBatch:
    """What one run read: the records, how far each shard was read, and why it stopped."""

    records: list[ReadRecord] = field(default_factory=list)
    last_read: dict[str, str] = field(default_factory=dict)  # shard → last sequence number
    shards_at_end: set[str] = field(default_factory=set)
    shards_waiting: list[str] = field(default_factory=list)  # children of unfinished parents
    stopped_because: str = "end of stream"
    get_records_calls: int = 0
    bytes_read: int = 0
    retries: int = 0


def list_shards(client: Any, stream: str) -> list[ShardInfo]:
    """Every shard the stream lists, closed ones included (ListShards, page by page)."""
    shards: list[ShardInfo] = []
    request: dict[str, Any] = {"StreamName": stream}
    while True:
        page = client.list_shards(**request)
        shards += [ShardInfo.of(shard) for shard in page.get("Shards", [])]
        token = page.get("NextToken")
        if not token:
            return shards
        request = {"NextToken": token}  # a next page names no stream


class StreamNotFound(LookupError):
    """The stream does not exist in the connection's account and region."""


def stream_incarnation(client: Any, stream: str) -> str:
    """The stream's creation time: tells a stream created again from the one checkpointed.

    :raises StreamNotFound: when there is no such stream.
    """
    try:
        summary = client.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    except client.exceptions.ResourceNotFoundException as missing:
        raise StreamNotFound(
            f"Kinesis stream {stream!r} does not exist in the AWS connection's account and "
            "region; an admin creates a tenant's streams, named <tenant>.<name>"
        ) from missing
    return summary["StreamCreationTimestamp"].isoformat()


class StreamReader:
    """Reads one bounded batch of ``stream``; see the module docstring.

    :param client: a boto3 Kinesis client with adaptive retries.
    :param max_records: most records read in one run.
    :param max_seconds: longest time one run spends reading.
    """

    def __init__(self, client: Any, stream: str, max_records: int, max_seconds: float) -> None:
        self.client = client
        self.stream = stream
        self.max_records = max_records
        self.max_seconds = max_seconds

    def read(self, checkpoint: Checkpoint) -> ReadBatch:
        from airloom.aws_ai.clients import retries_of

        batch = ReadBatch()
        deadline = time.monotonic() + self.max_seconds
        shards = read_order(list_shards(self.client, self.stream))
        listed = {shard.shard_id for shard in shards}
        for shard in shards:
            unfinished = [p for p in shard.parents if p in listed and p not in batch.shards_at_end]
            if unfinished:
                batch.shards_waiting.append(shard.shard_id)
                continue
            for response in self._pages(shard, checkpoint.after(shard.shard_id), deadline, batch):
                batch.get_records_calls += 1
                batch.retries += retries_of(response)
                for record in response.get("Records", []):
                    batch.bytes_read += len(record["Data"])
                    batch.records.append(
                        ReadRecord(
                            shard.shard_id,
                            record["SequenceNumber"],
                            record["PartitionKey"],
                            record["Data"],
                            record.get("ApproximateArrivalTimestamp"),
                        )
                    )
                    batch.last_read[shard.shard_id] = record["SequenceNumber"]
            if len(batch.records) >= self.max_records:
                batch.stopped_because = "max_records"
                break
            if time.monotonic() >= deadline:
                batch.stopped_because = "max_seconds"
                break
        return batch

    def _pages(
        self, shard: ShardInfo, after: str | None, deadline: float, batch: ReadBatch
    ) -> Iterator[dict[str, Any]]:
        """GetRecords responses of ``shard`` until its end, the record budget or the deadline."""
        pace = Pace(GET_RECORDS_PER_SECOND, key=shard.shard_id)
        iterator = self._iterator(shard.shard_id, after)
        while iterator is not None and time.monotonic() < deadline:
            budget = self.max_records - len(batch.records)
            if budget <= 0:
                return
            pace.wait()
            started = time.monotonic()
            try:
                response = self.client.get_records(
                    ShardIterator=iterator, Limit=min(GET_RECORDS_LIMIT, budget)
                )
            except self.client.exceptions.ExpiredIteratorException:
                # Iterators last five minutes: a new one from the last record read goes on.
                iterator = self._iterator(
                    shard.shard_id, batch.last_read.get(shard.shard_id, after)
                )
                continue
            yield response
            iterator = response.get("NextShardIterator")
            size = sum(len(record["Data"]) for record in response.get("Records", []))
            caught_up = response.get("MillisBehindLatest") == 0 and (
                not response.get("Records") or not self._behind_end(shard, after, batch)
            )
            if iterator is None or caught_up:
                batch.shards_at_end.add(shard.shard_id)
                return
            # Stay within the shard's 2 MB/s: a large read waits for the time it took up.
            time.sleep(max(0.0, started + size / READ_BYTES_PER_SECOND - time.monotonic()))

    @staticmethod
    def _behind_end(shard: ShardInfo, after: str | None, batch: ReadBatch) -> bool:
        """A closed shard whose last listed record is not read yet (its lag can read 0 when
        its records arrived within one millisecond)."""
        last = batch.last_read.get(shard.shard_id, after)
        if shard.ending_sequence is None or last is None:
            return False
        return int(last) < int(shard.ending_sequence)

    def _iterator(self, shard_id: str, after: str | None) -> str | None:
        request: dict[str, Any] = {"StreamName": self.stream, "ShardId": shard_id}
        if after is None:
            request["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=after)
        return self.client.get_shard_iterator(**request).get("ShardIterator")
