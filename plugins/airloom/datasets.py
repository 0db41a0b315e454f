"""Read and write Parquet datasets in the lake, so that no reader ever sees half a file.

A dataset is a folder of Parquet files, optionally hive-partitioned (``ingest_date=2026-11-23/``).
Writers give each file a deterministic name: rewriting the same batch replaces its file instead
of adding a copy. Locally a file is written beside its final name and renamed into place; on S3
a single PUT is already atomic.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

# Files and folders starting with these are in-flight or bookkeeping, never data.
HIDDEN_PREFIXES = (".", "_")


def _filesystem(uri: str):
    from pyarrow import fs

    if "://" not in uri:
        uri = f"file://{uri}"
    return fs.FileSystem.from_uri(uri)


def _fsync(path: str) -> None:
    """Force a local file (or folder entry) to disk: "written" must mean durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_table(
    table: pa.Table, dataset_uri: str, file_name: str, partition_by: str | None = None
) -> list[str]:
    """Write ``table`` into the dataset as ``file_name``.parquet (one per partition value).

    :param partition_by: a column whose values become hive partitions; it is kept out of the
        files, as Spark and pyarrow expect.
    :return: the URIs of the files written.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    filesystem, root = _filesystem(dataset_uri)
    local = filesystem.type_name == "local"
    scheme = dataset_uri.split("://", 1)[0] if "://" in dataset_uri else "file"
    parts: list[tuple[str, pa.Table]] = []
    if partition_by is None:
        parts.append((root, table))
    else:
        for value in pc.unique(table[partition_by]).to_pylist():
            rows = table.filter(pc.equal(table[partition_by], value))
            parts.append((f"{root}/{partition_by}={value}", rows.drop_columns([partition_by])))
    written = []
    for folder, rows in parts:
        filesystem.create_dir(folder, recursive=True)
        final = f"{folder}/{file_name}.parquet"
        if local:
            in_flight = f"{folder}/.{file_name}.{uuid.uuid4().hex}.tmp"
            pq.write_table(rows, in_flight, filesystem=filesystem)
            _fsync(in_flight)
            filesystem.move(in_flight, final)
            _fsync(folder)  # the rename itself survives a crash only once its folder is synced
        else:
            pq.write_table(rows, final, filesystem=filesystem)
        written.append(f"{scheme}://{final}" if scheme != "file" else f"file://{final}")
    return written


def _dataset(dataset_uri: str):
    """The dataset as a pyarrow Dataset, or None when it has no folder yet."""
    import pyarrow.dataset as ds

    filesystem, root = _filesystem(dataset_uri)
    if filesystem.get_file_info(root).type.name == "NotFound":
        return None
    return ds.dataset(
        root,
        filesystem=filesystem,
        format="parquet",
        partitioning="hive",
        ignore_prefixes=list(HIDDEN_PREFIXES),
    )


def dataset_schema(dataset_uri: str) -> pa.Schema | None:
    """The columns the dataset's files hold (partition columns included); None if no files."""
    dataset = _dataset(dataset_uri)
    if dataset is None or not dataset.files:
        return None
    return dataset.schema


def read_table(
    dataset_uri: str, columns: list[str] | None = None, where: Any | None = None
) -> pa.Table:
    """The whole dataset as one table (partition columns included); empty if it has no files.

    :param columns: read only these columns.
    :param where: a ``pyarrow.compute`` filter expression; Parquet statistics let whole files and
        row groups be skipped without reading them.
    """
    import pyarrow as pa

    dataset = _dataset(dataset_uri)
    if dataset is None:
        return pa.table({})
    return dataset.to_table(columns=columns, filter=where)


def read_batches(
    dataset_uri: str, columns: list[str] | None = None, batch_size: int = 10_000
) -> Iterator[pa.RecordBatch]:
    """The dataset's rows in record batches, so a large dataset is never held in memory whole."""
    dataset = _dataset(dataset_uri)
    if dataset is None:
        return
    yield from dataset.to_batches(columns=columns, batch_size=batch_size)
