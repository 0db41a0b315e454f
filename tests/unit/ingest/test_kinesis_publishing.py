"""Publishing to Kinesis: calls within PutRecords' limits, failed records resent alone.

The stream here is a small in-memory stand-in for PutRecords' answer (AWS is what tests
replace): it refuses the records it is told to, with the per-record error codes Kinesis uses.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from airloom.datasets import write_table
from airloom.ingest.kinesis_publishing import (
    MAX_BYTES_PER_CALL,
    MAX_BYTES_PER_RECORD,
    OutgoingRecord,
    PublishError,
    PublishTally,
    TableRecords,
    calls,
    put_all,
    row_partition_key,
)


def record(row: int, size: int = 10, key: str = "k") -> OutgoingRecord:
    return OutgoingRecord(b"x" * (size - len(key)), key, row)


def test_calls_hold_at_most_500_records_in_order() -> None:
    grouped = list(calls(record(i) for i in range(1201)))
    assert [len(group) for group in grouped] == [500, 500, 201]
    assert [r.row for group in grouped for r in group] == list(range(1201))


def test_calls_hold_at_most_5_mib_counting_data_and_partition_keys() -> None:
    big = MAX_BYTES_PER_RECORD  # 1 MiB each, key included: five fill a call
    grouped = list(calls(record(i, big) for i in range(11)))
    assert [len(group) for group in grouped] == [5, 5, 1]
    assert all(sum(r.size for r in group) <= MAX_BYTES_PER_CALL for group in grouped)


def test_a_row_without_a_partition_key_gets_a_stable_hash_of_itself() -> None:
    assert row_partition_key("ada", b"{}") == "ada"
    assert row_partition_key(42, b"{}") == "42"
    hashed = row_partition_key(None, b'{"id":1}')
    assert hashed == row_partition_key(None, b'{"id":1}') != row_partition_key(None, b'{"id":2}')


class FlakyStream:
    """PutRecords that fails each listed row's record the given number of times."""

    def __init__(self, failures: dict[int, int], code: str) -> None:
        self.failures = dict(failures)
        self.code = code
        self.sent: list[list[int]] = []

    def put_records(self, StreamName: str, Records: list[dict]) -> dict:
        rows = [int(r["Data"].decode()) for r in Records]
        self.sent.append(rows)
        answers = []
        for row in rows:
            if self.failures.get(row, 0) > 0:
                self.failures[row] -= 1
                answers.append({"ErrorCode": self.code, "ErrorMessage": "Rate exceeded"})
            else:
                answers.append({"SequenceNumber": str(row), "ShardId": "shardId-000000000000"})
        failed = sum("ErrorCode" in a for a in answers)
        return {"FailedRecordCount": failed, "Records": answers}


def numbered(count: int) -> list[OutgoingRecord]:
    return [OutgoingRecord(str(i).encode(), f"k{i}", i) for i in range(count)]


def test_only_the_records_a_call_failed_are_sent_again() -> None:
    stream = FlakyStream({1: 2, 3: 1}, "ProvisionedThroughputExceededException")
    tally = PublishTally()
    put_all(stream, "acme.orders", numbered(5), tally, backoff=0.001)
    assert stream.sent == [[0, 1, 2, 3, 4], [1, 3], [1]]
    assert (tally.records, tally.calls, tally.resent) == (5, 3, 3)


def test_records_failing_every_attempt_fail_the_publish_naming_rows_and_codes() -> None:
    stream = FlakyStream({2: 99}, "InternalFailure")
    with pytest.raises(
        PublishError, match=r"1 records .* after 3 attempts \(1 InternalFailure\); rows 2"
    ):
        put_all(stream, "acme.orders", numbered(4), PublishTally(), max_attempts=3, backoff=0.001)
    assert len(stream.sent) == 3


def test_rows_too_large_for_a_record_are_refused_before_anything_is_sent(tmp_path) -> None:
    uri = f"{tmp_path.as_uri()}/notes"
    table = pa.table({"id": [1, 2, 3], "text": ["short", "x" * (MAX_BYTES_PER_RECORD + 1), "ok"]})
    write_table(table, uri, "part")
    with pytest.raises(
        ValueError, match=r"node 'publish': 1 rows cannot be Kinesis records.*row 1"
    ):
        TableRecords("publish", uri, "lake", None, "id").check()
    fine = TableRecords("publish", uri, "lake", ["id"], None)
    assert fine.check() == 3
    assert [r.data for r in fine] == [b'{"id":1}', b'{"id":2}', b'{"id":3}']
