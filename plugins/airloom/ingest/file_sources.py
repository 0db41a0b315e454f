"""Files to ingest: a local path or ``s3://`` URI, glob allowed, read as CSV, JSON lines or Parquet.

S3 goes through the Amazon provider's ``S3Hook`` and one Airflow AWS connection (credentials,
region, ``endpoint_url``), so the same node reads real S3 on AWS and moto in tests. Objects are
downloaded to a temporary folder before being parsed with pyarrow.
"""

from __future__ import annotations

import glob
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pyarrow as pa

FileFormat = Literal["csv", "jsonl", "parquet"]
SOURCE_FILE_COLUMN = "_source_file"
_GLOB = re.compile(r"[*?\[]")


class FileSourceError(ValueError):
    """The source names no readable file, or a file cannot be parsed: says which and why."""


@dataclass(frozen=True)
class CsvOptions:
    delimiter: str = ","
    quote_char: str = '"'
    header: bool = True
    column_names: Sequence[str] | None = None
    null_values: Sequence[str] | None = None


@dataclass(frozen=True)
class SourceFile:
    uri: str  # where the file is, as the user named it (recorded in _source_file)
    local_path: str  # where to read it from here


LAKE_SCHEME = "lake://"


def in_lake(source: str, lake_root: str) -> str:
    """``lake://landing/*.csv`` as a path under the lake's root, so one spec runs anywhere."""
    if not source.startswith(LAKE_SCHEME):
        return source
    return f"{lake_root.rstrip('/')}/{source.removeprefix(LAKE_SCHEME).lstrip('/')}"


def source_problem(source: str) -> str | None:
    """Why ``source`` is not usable, or None."""
    if source.startswith(LAKE_SCHEME):
        return None if len(source) > len(LAKE_SCHEME) else "lake:// needs a path in the lake"
    if source.startswith("s3://"):
        return None if len(source) > len("s3://") and "/" in source[5:] else "s3:// needs a key"
    path = source.removeprefix("file://")
    if not os.path.isabs(path):
        return "must be an absolute path, a file://, s3:// or lake:// URI"
    return None


@dataclass(frozen=True)
class FoundFile:
    """A file a source names, and what tells this version of it from an edited one."""

    uri: str
    size: int
    version: str  # "mtime:<ns>" for a local file, "etag:<ETag>" for an S3 object


def _local_files(source: str) -> list[FoundFile]:
    path = source.removeprefix("file://")
    if not _GLOB.search(path) and os.path.isdir(path):
        raise FileSourceError(f"{source} is a folder: name its files, e.g. {path}/*.csv")
    found = []
    for match in sorted(glob.glob(path)):
        if os.path.isfile(match):
            stat = os.stat(match)
            found.append(FoundFile(f"file://{match}", stat.st_size, f"mtime:{stat.st_mtime_ns}"))
    return found


def _matches(key: str, pattern: str) -> bool:
    """A shell-style match where ``*`` stays within one folder level, as in a local glob."""
    return key.count("/") == pattern.count("/") and fnmatchcase(key, pattern)


def _s3_files(source: str, aws_conn_id: str) -> list[FoundFile]:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    hook = S3Hook(aws_conn_id=aws_conn_id)
    bucket, pattern = hook.parse_s3_url(source)
    glob_at = _GLOB.search(pattern)
    prefix = pattern[: glob_at.start()] if glob_at else pattern
    objects = hook.iter_file_metadata(prefix=prefix, bucket_name=bucket)
    return sorted(
        (
            FoundFile(f"s3://{bucket}/{item['Key']}", int(item["Size"]), f"etag:{item['ETag']}")
            for item in objects
            if (_matches(item["Key"], pattern) if glob_at else item["Key"] == pattern)
            and not item["Key"].endswith("/")
        ),
        key=lambda found: found.uri,
    )


def find_files(source: str, aws_conn_id: str) -> list[FoundFile]:
    """The files ``source`` names, in name order, each with its size and version.

    :raises FileSourceError: if it names none.
    """
    problem = source_problem(source)
    if problem:
        raise FileSourceError(f"source {source!r} {problem}")
    if source.startswith("s3://"):
        files = _s3_files(source, aws_conn_id)
        if not files:
            raise FileSourceError(f"no S3 object matches {source}")
    else:
        files = _local_files(source)
        if not files:
            raise FileSourceError(f"no file matches {source}")
    return files


@contextmanager
def fetch_files(files: Sequence[FoundFile], aws_conn_id: str) -> Iterator[list[SourceFile]]:
    """``files`` readable locally until the ``with`` block ends (S3 objects are downloaded)."""
    remote = [file for file in files if file.uri.startswith("s3://")]
    if not remote:
        yield [SourceFile(file.uri, file.uri.removeprefix("file://")) for file in files]
        return
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    hook = S3Hook(aws_conn_id=aws_conn_id)
    with tempfile.TemporaryDirectory(prefix="airloom-file-ingest-") as folder:
        fetched = []
        for index, file in enumerate(files):
            if not file.uri.startswith("s3://"):
                fetched.append(SourceFile(file.uri, file.uri.removeprefix("file://")))
                continue
            bucket, key = hook.parse_s3_url(file.uri)
            target = os.path.join(folder, str(index))
            os.makedirs(target)
            local = hook.download_file(
                key=key,
                bucket_name=bucket,
                local_path=target,
                preserve_file_name=True,
                use_autogenerated_subdir=False,
            )
            fetched.append(SourceFile(file.uri, local))
        yield fetched


def read_file(
    file: SourceFile,
    file_format: FileFormat,
    csv: CsvOptions | None = None,
    columns: Sequence[str] | None = None,
) -> pa.Table:
    """One file as a table, with a ``_source_file`` column naming where each row came from."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.json as pa_json
    import pyarrow.parquet as pq

    try:
        if file_format == "csv":
            options = csv or CsvOptions()
            table = pa_csv.read_csv(
                file.local_path,
                read_options=_csv_read_options(options),
                parse_options=pa_csv.ParseOptions(
                    delimiter=options.delimiter, quote_char=options.quote_char
                ),
                convert_options=pa_csv.ConvertOptions(
                    **({"null_values": list(options.null_values)} if options.null_values else {})
                ),
            )
        elif file_format == "jsonl":
            table = pa_json.read_json(file.local_path)
        else:
            table = pq.read_table(file.local_path)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as error:
        raise FileSourceError(f"cannot read {file.uri} as {file_format}: {error}") from error
    if columns:
        missing = [name for name in columns if name not in table.column_names]
        if missing:
            raise FileSourceError(
                f"{file.uri} has no column {', '.join(map(repr, missing))} "
                f"(it has {', '.join(table.column_names)})"
            )
        table = table.select(list(columns))
    return table.append_column(SOURCE_FILE_COLUMN, pa.array([file.uri] * table.num_rows))


def _csv_read_options(options: CsvOptions) -> Any:
    import pyarrow.csv as pa_csv

    names = list(options.column_names) if options.column_names else None
    return pa_csv.ReadOptions(
        column_names=names,
        skip_rows=1 if names and options.header else 0,  # replace the header's names
        autogenerate_column_names=not options.header and not names,
    )


def combine(tables: Sequence[pa.Table], source: str) -> pa.Table:
    """The files' tables as one; a column typed differently in two files is widened if it can."""
    import pyarrow as pa

    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise FileSourceError(
            f"the files matching {source} do not share compatible columns: {error}"
        ) from error
