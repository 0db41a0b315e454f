"""Reading a resharded Kinesis stream: closed parents first, each shard to its end.

moto keeps routing records to a split shard's closed parent, so the children of a real reshard
never hold records there; this in-memory stand-in answers ListShards, GetShardIterator and
GetRecords as Kinesis does after a split: the parent closed with its older records (its
iterator ends with no next iterator), the children open with the newer ones.
"""

from __future__ import annotations

from typing import Any

from airloom.ingest.kinesis_checkpoints import Checkpoint
from airloom.ingest.kinesis_reading import StreamReader

PARENT, LOW, HIGH = "shardId-0", "shardId-1", "shardId-2"


class ReshardedStream:
    """A stream whose one shard was split: ``records`` per shard as (sequence, data)."""

    def __init__(self) -> None:
        self.shards: dict[str, dict[str, Any]] = {
            # Listed children first: the reader must still take the parent first.
            LOW: {"parents": [PARENT], "closed": False, "records": [("14", b"c"), ("15", b"d")]},
            HIGH: {"parents": [PARENT], "closed": False, "records": [("21", b"e")]},
            PARENT: {"parents": [], "closed": True, "records": [("3", b"a"), ("7", b"b")]},
        }

    def list_shards(self, **_: Any) -> dict[str, Any]:
        listed = []
        for shard_id, shard in self.shards.items():
            described: dict[str, Any] = {"ShardId": shard_id, "SequenceNumberRange": {}}
            if shard["parents"]:
                described["ParentShardId"] = shard["parents"][0]
            if shard["closed"]:
                last = shard["records"][-1][0]
                described["SequenceNumberRange"]["EndingSequenceNumber"] = last
            listed.append(described)
        return {"Shards": listed}

    def get_shard_iterator(self, *, ShardId: str, ShardIteratorType: str, **rest: Any) -> dict:
        sequences = [int(seq) for seq, _ in self.shards[ShardId]["records"]]
        after = int(rest.get("StartingSequenceNumber", -1))
        position = len([seq for seq in sequences if seq <= after])
        return {"ShardIterator": f"{ShardId}|{position}"}

    def get_records(self, *, ShardIterator: str, Limit: int) -> dict:
        shard_id, position = ShardIterator.split("|")
        shard = self.shards[shard_id]
        start = int(position)
        taken = shard["records"][start : start + Limit]
        end = start + len(taken)
        at_end = end == len(shard["records"])
        records = [
            {"SequenceNumber": seq, "Data": data, "PartitionKey": "k"} for seq, data in taken
        ]
        return {
            "Records": records,
            "NextShardIterator": None if shard["closed"] and at_end else f"{shard_id}|{end}",
            "MillisBehindLatest": 0 if at_end else 1000,
        }


def test_a_closed_parent_is_read_to_its_end_before_its_children() -> None:
    stream = ReshardedStream()
    batch = StreamReader(stream, "acme.clicks", 100, 30).read(Checkpoint("acme.clicks", "t"))
    assert [r.data for r in batch.records] == [b"a", b"b", b"c", b"d", b"e"]
    assert [r.shard_id for r in batch.records[:2]] == [PARENT, PARENT]
    assert batch.last_read == {PARENT: "7", LOW: "15", HIGH: "21"}
    assert batch.shards_at_end == {PARENT, LOW, HIGH}
    assert batch.stopped_because == "end of stream"


def test_reading_goes_on_after_each_shards_checkpoint_and_stops_at_the_budget() -> None:
    stream = ReshardedStream()
    checkpoint = Checkpoint("acme.clicks", "t", {PARENT: "7", LOW: "14"})
    batch = StreamReader(stream, "acme.clicks", 100, 30).read(checkpoint)
    assert [r.data for r in batch.records] == [b"d", b"e"]  # the parent is done: no records

    budgeted = StreamReader(ReshardedStream(), "acme.clicks", 3, 30).read(
        Checkpoint("acme.clicks", "t")
    )
    assert [r.data for r in budgeted.records] == [b"a", b"b", b"c"]
    assert budgeted.stopped_because == "max_records"
    assert HIGH not in budgeted.last_read
