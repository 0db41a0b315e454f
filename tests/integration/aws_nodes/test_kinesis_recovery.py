"""Kinesis ingestion's exactly-once steps against Kinesis on moto, without a DAG run: a crash
between the quarantine write and the commit, and a stream read in several bounded runs over
several shards, each land every record once."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from airloom.aws_ai.clients import retry_config
from airloom.datasets import read_table
from airloom.ingest.kinesis_checkpoints import committed_checkpoint
from airloom.ingest.kinesis_ingestion import KinesisIngestion
from airloom.ingest.kinesis_reading import stream_incarnation
from airloom.ingest.records import RecordSchema

SCHEMA = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": {"type": "integer"}, "note": {"type": "string"}},
}


@pytest.fixture
def kinesis(moto) -> Any:
    return boto3.client(
        "kinesis",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=retry_config(),
    )


def new_stream(kinesis: Any, shards: int) -> str:
    stream = f"t{uuid.uuid4().hex[:10]}.events"
    kinesis.create_stream(StreamName=stream, ShardCount=shards)
    return stream


def put(kinesis: Any, stream: str, values: list[bytes]) -> None:
    records = [{"Data": value, "PartitionKey": f"key-{i}"} for i, value in enumerate(values)]
    kinesis.put_records(StreamName=stream, Records=records)


def ingestion(kinesis: Any, stream: str, lake: Path, **overrides: Any) -> KinesisIngestion:
    settings: dict[str, Any] = {
        "stream": stream,
        "record_schema": RecordSchema(SCHEMA),
        "dataset_uri": f"{lake.as_uri()}/events",
        "quarantine_uri": f"{lake.as_uri()}/events_quarantine",
        "max_records": 10_000,
        "max_seconds": 30.0,
    }
    return KinesisIngestion(kinesis, **{**settings, **overrides})


def ids(lake: Path, dataset: str = "events") -> list[int]:
    return sorted(read_table(f"{lake.as_uri()}/{dataset}")["id"].to_pylist())


def test_a_crash_before_the_commit_leaves_nothing_half_written(kinesis, tmp_path: Path) -> None:
    stream = new_stream(kinesis, 1)
    put(kinesis, stream, [json.dumps({"id": i}).encode() for i in range(5)] + [b"oops"])
    doomed = ingestion(kinesis, stream, tmp_path)
    incarnation = stream_incarnation(kinesis, stream)
    checkpoint, _ = committed_checkpoint([doomed.dataset_uri], stream, incarnation)
    batch = doomed.reader.read(checkpoint)
    valid, malformed, _ = doomed.sort(batch.records)
    assert valid is not None and valid.num_rows == 5 and len(malformed) == 1
    doomed.write_quarantine(malformed)  # … and the worker dies before the commit

    summary = ingestion(kinesis, stream, tmp_path).run()

    assert summary.removed_uncommitted == 1  # the dead run's pending quarantine file
    assert (summary.read, summary.written, summary.quarantined) == (6, 5, 1)
    assert ids(tmp_path) == [0, 1, 2, 3, 4]
    quarantined = read_table(f"{tmp_path.as_uri()}/events_quarantine").to_pylist()
    assert [(row["_value"], row["_reason"][:9]) for row in quarantined] == [(b"oops", "not JSON:")]
    assert ingestion(kinesis, stream, tmp_path).run().read == 0


def test_bounded_runs_over_several_shards_land_every_record_once(kinesis, tmp_path: Path) -> None:
    stream = new_stream(kinesis, 3)
    put(kinesis, stream, [json.dumps({"id": i, "note": f"n{i}"}).encode() for i in range(20)])
    runs = []
    while not runs or runs[-1].read:
        runs.append(ingestion(kinesis, stream, tmp_path, max_records=7).run())
        assert len(runs) < 10, [run.as_dict() for run in runs]
    assert [run.read for run in runs[:3]] == [7, 7, 6]
    assert runs[0].stopped_because == "max_records"
    assert ids(tmp_path) == list(range(20))
    rows = read_table(f"{tmp_path.as_uri()}/events").to_pylist()
    assert {row["note"] for row in rows} == {f"n{i}" for i in range(20)}
    assert len({row["_kinesis_shard_id"] for row in rows}) > 1  # spread over the shards
    assert set(runs[-1].checkpoint) == {row["_kinesis_shard_id"] for row in rows}


def test_a_batch_of_malformed_records_alone_still_moves_the_checkpoint(
    kinesis, tmp_path: Path
) -> None:
    stream = new_stream(kinesis, 1)
    put(kinesis, stream, [b"[1, 2]", b'{"id": "seven"}'])
    first = ingestion(kinesis, stream, tmp_path).run()
    assert (first.read, first.written, first.quarantined) == (2, 0, 2)
    assert read_table(f"{tmp_path.as_uri()}/events").num_rows == 0  # the commit holds no rows
    put(kinesis, stream, [json.dumps({"id": 7}).encode()])
    second = ingestion(kinesis, stream, tmp_path).run()
    assert (second.read, second.written, second.quarantined) == (1, 1, 0)
    assert ids(tmp_path) == [7]
    reasons = read_table(f"{tmp_path.as_uri()}/events_quarantine")["_reason"].to_pylist()
    assert sorted(reasons) == [
        "not a JSON object: a JSON list",
        'schema: $.id: "seven" is not of type "integer"',
    ]


def test_a_stream_created_again_under_its_name_is_read_from_its_start(
    kinesis, tmp_path: Path
) -> None:
    stream = new_stream(kinesis, 1)
    put(kinesis, stream, [json.dumps({"id": i}).encode() for i in range(3)])
    assert ingestion(kinesis, stream, tmp_path).run().written == 3
    kinesis.delete_stream(StreamName=stream)
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    put(kinesis, stream, [json.dumps({"id": i}).encode() for i in (10, 11)])
    # Its sequence numbers start over: the old checkpoint would skip both records.
    again = ingestion(kinesis, stream, tmp_path).run()
    assert (again.read, again.written) == (2, 2)
    assert ids(tmp_path) == [0, 1, 2, 10, 11]


def test_a_split_shard_read_in_bounded_runs_lands_every_record_once(
    kinesis, tmp_path: Path
) -> None:
    stream = new_stream(kinesis, 1)
    put(kinesis, stream, [json.dumps({"id": i}).encode() for i in range(10)])
    parent = "shardId-000000000000"
    kinesis.split_shard(StreamName=stream, ShardToSplit=parent, NewStartingHashKey=str(2**127))
    children = sorted(
        shard["ShardId"]
        for shard in kinesis.list_shards(StreamName=stream)["Shards"]
        if shard.get("ParentShardId") == parent
    )
    assert len(children) == 2

    first = ingestion(kinesis, stream, tmp_path, max_records=4).run()
    assert first.read == 4 and first.stopped_because == "max_records"
    assert set(first.checkpoint) == {parent}
    rest = ingestion(kinesis, stream, tmp_path).run()
    assert rest.read == 6 and rest.shards_waiting == []
    assert set(rest.checkpoint) == {parent}  # moto routes every record to the parent
    assert ids(tmp_path) == list(range(10))
