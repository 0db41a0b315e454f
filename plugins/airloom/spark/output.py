"""Write a Spark DataFrame into a lake dataset so nobody ever sees half of it.

Spark writes into a hidden staging folder beside the dataset; only when every file is written
does the staging folder replace the dataset (``overwrite``) or hand over its files (``append``).
A failed job leaves the dataset as it was, and a rerun replaces what the last run wrote.
The moves go through Hadoop's FileSystem, so the same code works on a local lake and on S3
(where EMR's S3 filesystem implements rename as copy and delete).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

OVERWRITE = "overwrite"
APPEND = "append"
HIDDEN_PREFIXES = ("_", ".")  # Spark's and pyarrow's convention for "not data"


def spark_uri(path: Any) -> str:
    """A URI Spark reads: ``file:///…`` or ``s3://bucket/key`` (no Airflow connection id inside).

    Accepts a string or an Airflow ``ObjectStoragePath`` (whose ``str`` may carry its
    connection id, e.g. ``s3://aws_default@bucket/key``).
    """
    text = str(path)
    if "://" not in text:
        return f"file://{text}" if text.startswith("/") else text
    parts = urlsplit(text)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if parts.scheme == "file":
        return f"file://{parts.path}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class HadoopFiles:
    """The few Hadoop FileSystem calls a dataset swap needs, through Spark's JVM."""

    def __init__(self, spark: SparkSession, uri: str) -> None:
        self._jvm = spark._jvm
        self._conf = spark._jsc.hadoopConfiguration()
        self._fs = self.path(uri).getFileSystem(self._conf)

    def path(self, uri: str) -> Any:
        return self._jvm.org.apache.hadoop.fs.Path(uri)

    def exists(self, uri: str) -> bool:
        return bool(self._fs.exists(self.path(uri)))

    def rename(self, source: str, target: str) -> None:
        if not self._fs.rename(self.path(source), self.path(target)):
            raise OSError(f"could not move {source} to {target}")

    def delete(self, uri: str) -> None:
        self._fs.delete(self.path(uri), True)

    def mkdirs(self, uri: str) -> None:
        self._fs.mkdirs(self.path(uri))

    def data_files(self, root: str) -> list[str]:
        """Paths (relative to ``root``) of the data files under it, skipping hidden ones."""
        root_path = self._fs.makeQualified(self.path(root)).toUri().getPath().rstrip("/")
        found = []
        files = self._fs.listFiles(self.path(root), True)
        while files.hasNext():
            full = files.next().getPath().toUri().getPath()
            relative = full[len(root_path) + 1 :]
            if not any(part.startswith(HIDDEN_PREFIXES) for part in relative.split("/")):
                found.append(relative)
        return sorted(found)


def _sibling(uri: str, label: str) -> str:
    parent, _, name = uri.rstrip("/").rpartition("/")
    return f"{parent}/_{label}_{name}_{uuid.uuid4().hex}"


def write_dataset(
    frame: DataFrame,
    uri: str,
    *,
    mode: str = OVERWRITE,
    partition_by: Sequence[str] = (),
    file_prefix: str | None = None,
) -> None:
    """Write ``frame`` as Parquet to the dataset at ``uri``, all or nothing.

    :param mode: ``overwrite`` replaces the dataset; ``append`` adds this write's files.
    :param partition_by: columns that become hive partition folders.
    :param file_prefix: in ``append`` mode, name the files ``<prefix>-NNNNN.parquet`` and first
        remove files an earlier attempt wrote with that prefix, so replaying a write (the same
        stream batch, say) replaces it instead of duplicating it.
    """
    if mode not in (OVERWRITE, APPEND):
        raise ValueError(f"mode must be {OVERWRITE!r} or {APPEND!r}, not {mode!r}")
    uri = uri.rstrip("/")
    files = HadoopFiles(frame.sparkSession, uri)
    staging = _sibling(uri, "staging")
    try:
        frame.write.mode("overwrite").partitionBy(*partition_by).parquet(staging)
        if mode == OVERWRITE or not files.exists(uri):
            _swap_in(files, staging, uri)
        else:
            _hand_over(files, staging, uri, file_prefix)
    finally:
        if files.exists(staging):
            files.delete(staging)


def _swap_in(files: HadoopFiles, staging: str, uri: str) -> None:
    """Replace the dataset with the staging folder; put the old one back if that fails."""
    previous = _sibling(uri, "previous") if files.exists(uri) else None
    if previous:
        files.rename(uri, previous)
    try:
        files.mkdirs(uri.rpartition("/")[0])
        files.rename(staging, uri)
    except Exception:
        if previous:
            files.rename(previous, uri)
        raise
    if previous:
        files.delete(previous)


def _hand_over(files: HadoopFiles, staging: str, uri: str, file_prefix: str | None) -> None:
    if file_prefix:
        for relative in files.data_files(uri):
            if relative.rpartition("/")[2].startswith(f"{file_prefix}-"):
                files.delete(f"{uri}/{relative}")
    for index, relative in enumerate(files.data_files(staging)):
        folder, _, name = relative.rpartition("/")
        if file_prefix:
            name = f"{file_prefix}-{index:05d}.parquet"
        target_folder = f"{uri}/{folder}" if folder else uri
        files.mkdirs(target_folder)
        files.rename(f"{staging}/{relative}", f"{target_folder}/{name}")
