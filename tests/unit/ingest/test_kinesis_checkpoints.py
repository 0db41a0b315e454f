"""Kinesis shard checkpoints: merged from every committed file, shards read parents first."""

from __future__ import annotations

import pyarrow as pa

from airloom.datasets import write_table
from airloom.ingest.kinesis_checkpoints import (
    CHECKPOINT_KEY,
    PENDING_KEY,
    Checkpoint,
    ShardInfo,
    committed_checkpoint,
    decode,
    later,
    merge,
    read_order,
    uncommitted_files,
)

# Real sequence numbers are 56-digit decimals; their lengths can differ.
LOW = "49590338271490256608559692538361571095921575989136588898"
HIGH = "49590338271490256608559692540925702759324208523137515618"


def test_later_compares_sequence_numbers_as_numbers_whatever_their_length() -> None:
    assert later(LOW, HIGH) == HIGH
    assert later(HIGH, LOW) == HIGH
    assert later("9", "10") == "10"  # as text, "9" would sort after "10"
    assert later(None, "7") == "7" and later("7", None) == "7" and later(None, None) is None


def test_merging_keeps_per_shard_the_highest_sequence_whatever_the_order() -> None:
    first = Checkpoint("acme.clicks", "2026-12-01T00:00:00", {"s0": LOW, "s1": "5"})
    second = Checkpoint("acme.clicks", "2026-12-01T00:00:00", {"s0": HIGH, "s2": "3"})
    for order in ([first, second], [second, first]):
        merged = merge("acme.clicks", "2026-12-01T00:00:00", order)
        assert dict(merged.shards) == {"s0": HIGH, "s1": "5", "s2": "3"}


def test_checkpoints_of_another_stream_or_an_earlier_incarnation_do_not_count() -> None:
    earlier = Checkpoint("acme.clicks", "2026-11-01T00:00:00", {"s0": HIGH})
    other = Checkpoint("acme.views", "2026-12-01T00:00:00", {"s0": HIGH})
    merged = merge("acme.clicks", "2026-12-01T00:00:00", [earlier, other])
    assert merged.after("s0") is None  # read from the trim horizon


def test_a_checkpoint_advances_only_forward_and_survives_its_footer_text() -> None:
    checkpoint = Checkpoint("acme.clicks", "t", {"s0": HIGH})
    advanced = checkpoint.advanced({"s0": LOW, "s1": "12"})
    assert dict(advanced.shards) == {"s0": HIGH, "s1": "12"}
    decoded, batch = decode(advanced.encode("batch1"))
    assert (decoded, batch) == (advanced, "batch1")


def test_committed_checkpoint_reads_footers_and_finds_files_that_never_committed(tmp_path) -> None:
    dataset, quarantine = f"{tmp_path.as_uri()}/clicks", f"{tmp_path.as_uri()}/quarantine"
    rows = pa.table({"id": [1]})
    done = Checkpoint("acme.clicks", "t", {"s0": "4"})
    write_table(rows, dataset, "kinesis-a", file_metadata={CHECKPOINT_KEY: done.encode("a")})
    write_table(
        rows,
        dataset,
        "kinesis-b",
        file_metadata={CHECKPOINT_KEY: done.advanced({"s0": "9"}).encode("b")},
    )
    write_table(rows, quarantine, "kinesis-a", file_metadata={PENDING_KEY: "a"})
    write_table(rows, quarantine, "kinesis-c", file_metadata={PENDING_KEY: "c"})  # crashed

    checkpoint, committed = committed_checkpoint([dataset], "acme.clicks", "t")

    assert dict(checkpoint.shards) == {"s0": "9"} and committed == {"a", "b"}
    assert uncommitted_files(quarantine, committed) == ["kinesis-c.parquet"]


def test_parents_are_read_before_the_shards_a_reshard_made_of_them() -> None:
    listed = [
        ShardInfo("s3", parents=("s1", "s2")),  # a merge of two
        ShardInfo("s1", parents=("s0",)),
        ShardInfo("s0", ending_sequence="40"),
        ShardInfo("s2", parents=("s0",)),
        ShardInfo("s9", parents=("expired",)),  # its parent is past retention
    ]
    order = [shard.shard_id for shard in read_order(listed)]
    assert sorted(order) == ["s0", "s1", "s2", "s3", "s9"]
    assert order.index("s0") < order.index("s1") < order.index("s3")
    assert order.index("s2") < order.index("s3")


def test_a_listed_shard_tells_its_parents_and_whether_it_is_closed() -> None:
    described = {
        "ShardId": "shardId-000000000002",
        "ParentShardId": "shardId-000000000000",
        "AdjacentParentShardId": "shardId-000000000001",
        "SequenceNumberRange": {"StartingSequenceNumber": "1", "EndingSequenceNumber": "77"},
    }
    shard = ShardInfo.of(described)
    assert shard.parents == ("shardId-000000000000", "shardId-000000000001")
    assert shard.closed and shard.ending_sequence == "77"
    assert not ShardInfo.of({"ShardId": "s", "SequenceNumberRange": {}}).closed
