"""Kafka messages as lake rows: the ``_kafka_*`` columns, batch file names, and which
records a dataset already holds.

A record is identified by its topic *and the topic's id* (the broker's UUID for this
incarnation of the name), partition and offset. A topic deleted and created again under the
same name starts again at offset 0 with a new id, so its records never pass for ones the
lake already holds. Rows written before the id was kept have no ``_kafka_topic_id``; they
match any incarnation of their topic name, as they always did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airloom.ingest.records import INGEST_DATE

if TYPE_CHECKING:
    import pyarrow as pa

TOPIC_ID = "_kafka_topic_id"
COORDINATES = ("_kafka_partition", "_kafka_offset")
REASON = "_reason"


class IngestionError(RuntimeError):
    """Ingestion cannot proceed; nothing was committed."""


def coordinate_arrays(
    topic: str, topic_id: str | None, messages: Sequence[Any]
) -> dict[str, pa.Array]:
    """The ``_kafka_*`` columns for ``messages``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # (type, ms) pairs; type 0 means the broker gave no timestamp.
    stamps = [m.timestamp() for m in messages]
    given = pa.array([kind != 0 and ms >= 0 for kind, ms in stamps], pa.bool_())
    millis = pa.array([ms for _, ms in stamps], pa.int64())
    return {
        "_kafka_topic": pa.array([topic] * len(messages), pa.string()),
        TOPIC_ID: pa.array([topic_id] * len(messages), pa.string()),
        "_kafka_partition": pa.array([m.partition() for m in messages], pa.int32()),
        "_kafka_offset": pa.array([m.offset() for m in messages], pa.int64()),
        "_kafka_timestamp": pc.if_else(given, millis, pa.scalar(None, pa.int64())).cast(
            pa.timestamp("ms", tz="UTC")
        ),
    }


def quarantine_table(
    topic: str, topic_id: str | None, malformed: Sequence[tuple[Any, str]], ingest_date: str
) -> pa.Table:
    """Malformed messages as quarantine rows: their coordinates, key, value and ``_reason``."""
    import pyarrow as pa

    messages = [message for message, _ in malformed]
    columns = coordinate_arrays(topic, topic_id, messages)
    columns["_key"] = pa.array([message.key() for message in messages], pa.binary())
    columns["_value"] = pa.array([message.value() for message in messages], pa.binary())
    columns[REASON] = pa.array([reason for _, reason in malformed], pa.string())
    columns[INGEST_DATE] = pa.array([ingest_date] * len(messages), pa.string())
    return pa.table(columns)


def batch_file_name(topic: str, coordinates: Mapping[str, pa.Array] | pa.Table, token: str) -> str:
    """``kafka-<topic>-<partition>-<offset>-<token>``: the batch's first message and its run.

    The token is unique to the run, so two runs that read the same records (they overlapped,
    or one died before committing) never write the same name.
    """
    import pyarrow.compute as pc

    partitions, offsets = coordinates["_kafka_partition"], coordinates["_kafka_offset"]
    partition = pc.min(partitions).as_py()
    offset = pc.min(offsets.filter(pc.equal(partitions, partition))).as_py()
    return f"kafka-{topic}-{partition}-{offset}-{token}"


def stored_coordinates(
    dataset_uri: str, topic: str, topic_id: str | None, ranges: Mapping[int, tuple[int, int]]
) -> set[tuple[int, int]]:
    """The (partition, offset) pairs within ``ranges`` that the dataset already holds.

    Only the coordinate columns are read, filtered to the batch's offset range, so Parquet
    statistics skip every file written by earlier batches.
    """
    import pyarrow as pa
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
    same_topic = ds.field("_kafka_topic") == topic
    if topic_id is not None:  # rows from before topic ids were kept match the name alone
        same_topic &= ds.field(TOPIC_ID).is_null() | (ds.field(TOPIC_ID) == topic_id)
    # Named columns with their types: files written before topic ids were kept read as null
    # ids, whichever file the dataset's schema would otherwise be inferred from.
    wanted = pa.schema(
        [
            ("_kafka_topic", pa.string()),
            (TOPIC_ID, pa.string()),
            ("_kafka_partition", pa.int32()),
            ("_kafka_offset", pa.int64()),
        ]
    )
    held = read_table(
        dataset_uri, columns=list(COORDINATES), where=same_topic & in_range, schema=wanted
    )
    if held.num_rows == 0:
        return set()
    return set(
        zip(held["_kafka_partition"].to_pylist(), held["_kafka_offset"].to_pylist(), strict=True)
    )


def not_in(table: pa.Table, coordinates: set[tuple[int, int]]) -> pa.Array:
    """A mask keeping the rows whose (partition, offset) is not among ``coordinates``."""
    import pyarrow as pa

    pairs = zip(
        table["_kafka_partition"].to_pylist(), table["_kafka_offset"].to_pylist(), strict=True
    )
    return pa.array([pair not in coordinates for pair in pairs], pa.bool_())
