"""Read and write Parquet datasets in the lake, so that no reader ever sees half a file.

A dataset is a folder of Parquet files, optionally hive-partitioned (``ingest_date=2026-11-23/``).
Writers give each file a deterministic name: rewriting the same batch replaces its file instead
of adding a copy. Locally a file is written beside its final name and renamed into place; on S3
a single PUT is already atomic.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

# Files and folders starting with these are in-flight or bookkeeping, never data.
HIDDEN_PREFIXES = (".", "_")


def _filesystem(uri: str):
    from pyarrow import fs

    if "://" not in uri:
        uri = f"file://{uri}"
    scheme, _, rest = uri.partition("://")
    bucket, slash, key = rest.partition("/")
    if scheme == "s3" and "@" in bucket:
        # An Airflow ObjectStoragePath writes its connection id there (s3://airloom_lake@bucket),
        # where pyarrow would read an access key: credentials come from the environment.
        uri = f"s3://{bucket.rsplit('@', 1)[-1]}{slash}{key}"
    return fs.FileSystem.from_uri(uri)


def fsync(path: str) -> None:
    """Force a local file (or folder entry) to disk: "written" must mean durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_table(
    table: pa.Table,
    dataset_uri: str,
    file_name: str,
    partition_by: str | None = None,
    *,
    file_metadata: Mapping[str, str] | None = None,
    replace: bool = True,
) -> list[str]:
    """Write ``table`` into the dataset as ``file_name``.parquet (one per partition value).

    :param partition_by: a column whose values become hive partitions; it is kept out of the
        files, as Spark and pyarrow expect.
    :param file_metadata: key-value pairs for each file's footer (bookkeeping that must commit
        with the rows, such as an ingest manifest); readers' schemas never carry them.
    :param replace: False when the name must be new: a file already there is kept, and
        :class:`FileExistsError` raised (see :func:`_move_without_replacing`).
    :return: the URIs of the files written.
    """
    import pyarrow.compute as pc

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
            _write_parquet(rows, in_flight, filesystem, file_metadata)
            fsync(in_flight)
            if replace:
                filesystem.move(in_flight, final)
            else:
                _move_without_replacing(in_flight, final)
            fsync(folder)  # the rename itself survives a crash only once its folder is synced
        else:
            if not replace and filesystem.get_file_info(final).type.name != "NotFound":
                raise FileExistsError(f"{final} exists: it is not replaced")
            _write_parquet(rows, final, filesystem, file_metadata)
        written.append(f"{scheme}://{final}" if scheme != "file" else f"file://{final}")
    return written


def _move_without_replacing(in_flight: str, final: str) -> None:
    """Give a local file its final name, unless that name is taken: one atomic step.

    A hard link fails if the name exists, where a rename would replace the file; the in-flight
    name then goes. (On S3 a PUT cannot be made conditional through pyarrow: ``write_table``
    checks for the name before writing, which only a writer racing on the same name defeats.)
    """
    try:
        os.link(in_flight, final)
    except FileExistsError:
        os.unlink(in_flight)
        raise FileExistsError(f"{final} exists: it is not replaced") from None
    os.unlink(in_flight)


def _write_parquet(
    rows: pa.Table, path: str, filesystem: Any, file_metadata: Mapping[str, str] | None
) -> None:
    import pyarrow.parquet as pq

    if not file_metadata:
        pq.write_table(rows, path, filesystem=filesystem)
        return
    # Footer key-values beside ARROW:schema: kept out of the schema readers see, so a table
    # read from the dataset and written elsewhere does not drag the bookkeeping along.
    with pq.ParquetWriter(path, rows.schema, filesystem=filesystem) as writer:
        writer.write_table(rows)
        writer.add_key_value_metadata(dict(file_metadata))


def _path_of(uri: str) -> str:
    return _filesystem(uri)[1]


def data_files(dataset_uri: str) -> list[str]:
    """The paths of the dataset's data files (hidden in-flight and bookkeeping files left out)."""
    dataset = _dataset(dataset_uri)
    return sorted(dataset.files) if dataset is not None else []


def footer_values(dataset_uri: str, key: str) -> dict[str, str]:
    """Each data file's footer value for ``key`` (see ``file_metadata``), by the file's name.

    Only footers are read, never rows; files without the key are left out.
    """
    import pyarrow.parquet as pq

    filesystem, _ = _filesystem(dataset_uri)
    found = {}
    for path in data_files(dataset_uri):
        with filesystem.open_input_file(path) as source:
            metadata = pq.read_metadata(source).metadata or {}
        value = metadata.get(key.encode())
        if value is not None:
            found[path.rsplit("/", 1)[-1]] = value.decode()
    return found


def remove_data_files(dataset_uri: str, keep: Iterable[str]) -> list[str]:
    """Delete every data file of the dataset but ``keep`` (URIs or paths); returns the deleted."""
    filesystem, _ = _filesystem(dataset_uri)
    kept = {_path_of(uri) for uri in keep}
    removed = [path for path in data_files(dataset_uri) if path not in kept]
    for path in removed:
        filesystem.delete_file(path)
    return removed


def remove_file(dataset_uri: str, relative_path: str) -> bool:
    """Delete one file of the dataset (``relative_path`` under its root); False if absent."""
    from pyarrow import fs

    filesystem, root = _filesystem(dataset_uri)
    path = f"{root.rstrip('/')}/{relative_path}"
    if filesystem.get_file_info(path).type != fs.FileType.File:
        return False
    filesystem.delete_file(path)
    return True


def remove_leftovers(dataset_uri: str, file_name: str, stale_after_seconds: float = 3600) -> int:
    """Delete in-flight files a crashed ``write_table`` left behind; returns how many.

    A leftover of ``file_name`` goes at once: only a later try of the same writer writes that
    name. Other writers' leftovers go once older than ``stale_after_seconds``, so a write in
    progress elsewhere keeps its file.
    """
    filesystem, leftovers = _leftovers(dataset_uri)
    oldest = time.time() - stale_after_seconds
    removed = 0
    for info, name in leftovers:
        own = name == file_name
        if own or (info.mtime is not None and info.mtime.timestamp() < oldest):
            filesystem.delete_file(info.path)
            removed += 1
    return removed


def remove_leftovers_named(dataset_uri: str, name_prefix: str) -> int:
    """Delete, whatever their age, the in-flight files of writes named ``name_prefix…``.

    Only for a caller that knows no such write is in progress (it holds a lock that every
    such writer takes while writing). Returns how many were deleted.
    """
    filesystem, leftovers = _leftovers(dataset_uri)
    removed = 0
    for info, name in leftovers:
        if name.startswith(name_prefix):
            filesystem.delete_file(info.path)
            removed += 1
    return removed


def _leftovers(dataset_uri: str) -> tuple[Any, list[tuple[Any, str]]]:
    """The dataset's filesystem, and each in-flight file in it with the name it was to get."""
    from pyarrow import fs

    filesystem, root = _filesystem(dataset_uri)
    if filesystem.get_file_info(root).type != fs.FileType.Directory:
        return filesystem, []
    found = []
    for info in filesystem.get_file_info(fs.FileSelector(root, recursive=True)):
        name = info.base_name
        if info.type == fs.FileType.File and name.startswith(".") and name.endswith(".tmp"):
            found.append((info, name[1 : -len(".tmp")].rpartition(".")[0]))  # .<name>.<uuid>.tmp
    return filesystem, found


def _dataset(dataset_uri: str, schema: pa.Schema | None = None):
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
        schema=schema,
    )


def dataset_schema(dataset_uri: str) -> pa.Schema | None:
    """The columns the dataset's files hold (partition columns included); None if no files."""
    dataset = _dataset(dataset_uri)
    if dataset is None or not dataset.files:
        return None
    return dataset.schema


def read_table(
    dataset_uri: str,
    columns: list[str] | None = None,
    where: Any | None = None,
    schema: pa.Schema | None = None,
) -> pa.Table:
    """The whole dataset as one table (partition columns included); empty if it has no files.

    :param columns: read only these columns.
    :param where: a ``pyarrow.compute`` filter expression; Parquet statistics let whole files and
        row groups be skipped without reading them.
    :param schema: the columns to read the files as, by name: a file without one of them
        reads it as nulls (by default the schema is the first file's).
    """
    import pyarrow as pa

    dataset = _dataset(dataset_uri, schema)
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
