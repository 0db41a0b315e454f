"""Where a Kinesis ingestion stands in each shard, kept in the footers of the files it landed.

A batch commits by writing its last file: that file's Parquet footer holds the checkpoint,
the last sequence number landed in every shard so far (this batch's and all earlier ones), so
the rows and the record of them are one atomic write. Nothing else holds it: a crash before
that write leaves the old checkpoint and the next run reads the same records again; a crash
after it leaves nothing to redo. Every committed file carries the whole state, and merging
takes per shard the highest sequence number, so the order files are listed in never matters.

A checkpoint names its stream and the stream's incarnation (its creation time): a stream
deleted and created again under the same name starts over, and earlier checkpoints of the
name do not apply to it.

This module is pure, apart from :func:`committed_checkpoint` reading the footers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CHECKPOINT_KEY = "airloom.kinesis.checkpoint"
PENDING_KEY = "airloom.kinesis.pending"  # a batch's file written before its commit
_FORMAT = 1


def later(first: str | None, second: str | None) -> str | None:
    """The later of two sequence numbers (decimal strings of any length), None counting least."""
    if first is None:
        return second
    if second is None:
        return first
    return first if int(first) >= int(second) else second


@dataclass(frozen=True)
class Checkpoint:
    """The last sequence number landed per shard of one incarnation of a stream.

    :param incarnation: the stream's creation time (ISO 8601), telling a stream created again
        under the same name from the one the checkpoint was taken of.
    """

    stream: str
    incarnation: str
    shards: Mapping[str, str] = field(default_factory=dict)

    def after(self, shard_id: str) -> str | None:
        """The sequence number to read after in ``shard_id``; None: from its trim horizon."""
        return self.shards.get(shard_id)

    def advanced(self, landed: Mapping[str, str]) -> Checkpoint:
        """This checkpoint moved past ``landed`` (the last sequence number read per shard)."""
        shards = dict(self.shards)
        for shard_id, sequence in landed.items():
            shards[shard_id] = later(shards.get(shard_id), sequence)  # type: ignore[assignment]
        return Checkpoint(self.stream, self.incarnation, shards)

    def encode(self, batch: str) -> str:
        return json.dumps(
            {
                "format": _FORMAT,
                "stream": self.stream,
                "incarnation": self.incarnation,
                "batch": batch,
                "shards": dict(sorted(self.shards.items())),
            },
            separators=(",", ":"),
        )


def decode(text: str) -> tuple[Checkpoint, str]:
    """A footer's checkpoint and the batch that committed it."""
    document = json.loads(text)
    checkpoint = Checkpoint(document["stream"], document["incarnation"], document["shards"])
    return checkpoint, document["batch"]


def merge(stream: str, incarnation: str, found: Iterable[Checkpoint]) -> Checkpoint:
    """One checkpoint from every committed one of this stream's incarnation: per shard, the
    highest sequence number any of them landed."""
    merged = Checkpoint(stream, incarnation)
    for checkpoint in found:
        if checkpoint.stream == stream and checkpoint.incarnation == incarnation:
            merged = merged.advanced(checkpoint.shards)
    return merged


def committed_checkpoint(
    dataset_uris: Sequence[str], stream: str, incarnation: str
) -> tuple[Checkpoint, set[str]]:
    """The merged checkpoint of the datasets' committed files, and the committed batches."""
    from airloom.datasets import footer_values

    found, batches = [], set()
    for uri in dataset_uris:
        for text in footer_values(uri, CHECKPOINT_KEY).values():
            checkpoint, batch = decode(text)
            found.append(checkpoint)
            batches.add(batch)
    return merge(stream, incarnation, found), batches


def uncommitted_files(dataset_uri: str, committed: set[str]) -> list[str]:
    """The dataset's files written ahead of a commit that never came (a crash in between)."""
    from airloom.datasets import footer_values

    return [
        name
        for name, batch in footer_values(dataset_uri, PENDING_KEY).items()
        if batch not in committed
    ]


@dataclass(frozen=True)
class ShardInfo:
    """A shard as ListShards describes it."""

    shard_id: str
    parents: tuple[str, ...] = ()
    ending_sequence: str | None = None  # set once the shard is closed (split or merged)

    @property
    def closed(self) -> bool:
        return self.ending_sequence is not None

    @classmethod
    def of(cls, described: Mapping[str, Any]) -> ShardInfo:
        parents = tuple(
            described[key]
            for key in ("ParentShardId", "AdjacentParentShardId")
            if described.get(key)
        )
        ending = described.get("SequenceNumberRange", {}).get("EndingSequenceNumber")
        return cls(described["ShardId"], parents, ending)


def read_order(shards: Sequence[ShardInfo]) -> list[ShardInfo]:
    """Shards with every parent before its children (a reshard's closed parents hold the older
    records of the children's keys), otherwise in their listed order."""
    by_id = {shard.shard_id: shard for shard in shards}
    ordered: list[ShardInfo] = []
    placed: set[str] = set()

    def place(shard: ShardInfo, path: tuple[str, ...] = ()) -> None:
        if shard.shard_id in placed or shard.shard_id in path:
            return
        for parent in shard.parents:
            if parent in by_id:
                place(by_id[parent], (*path, shard.shard_id))
        placed.add(shard.shard_id)
        ordered.append(shard)

    for shard in shards:
        place(shard)
    return ordered
