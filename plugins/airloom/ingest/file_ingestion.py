"""Files into a lake dataset, each version of a file once: the logic behind ``file_ingest``.

Every batch file a run writes records, in its Parquet footer, which files it was read from:
each file's URI, size and version (its modification time locally, its ETag on S3). That
record is the dataset's manifest. It is written with the rows, in the same file and the same
atomic rename, so a crash can never leave rows without their record or a record without its
rows.

In ``new_files`` mode a run reads only files whose URI, size and version no *other* batch
records. Its own earlier try does not count: clearing and rerunning a run reads the same files
again and replaces its own batch, so the dataset holds the same rows as before, once. A file
edited after it was ingested (new size or version) is new, and its rows are added again; a
file that vanished since this run's earlier try keeps the rows the run took from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airloom.ingest.file_sources import (
    SOURCE_FILE_COLUMN,
    CsvOptions,
    FileFormat,
    FoundFile,
    combine,
    fetch_files,
    find_files,
    read_file,
)
from airloom.ingest.landing import NEW_FILES, WriteMode, land

if TYPE_CHECKING:
    import pyarrow as pa

MANIFEST_KEY = "airloom.ingested_files"
_MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class FileIngestResult:
    dataset_uri: str
    files_found: int  # files the source names now
    files_read: int  # files read by this run (in new_files mode: the new ones)
    rows: int  # rows this run wrote


def encode_manifest(files: Sequence[FoundFile]) -> str:
    entries = [[file.uri, file.size, file.version] for file in files]
    return json.dumps({"format": _MANIFEST_FORMAT, "files": entries}, separators=(",", ":"))


def decode_manifest(text: str) -> list[FoundFile]:
    document = json.loads(text)
    return [FoundFile(uri, int(size), version) for uri, size, version in document["files"]]


def manifests(dataset_uri: str) -> dict[str, list[FoundFile]]:
    """What each batch file of the dataset was read from, by the batch file's name."""
    from airloom.datasets import footer_values

    found = footer_values(dataset_uri, MANIFEST_KEY)
    return {name: decode_manifest(text) for name, text in found.items()}


def ingest_files(
    source: str,
    file_format: FileFormat,
    dataset_uri: str,
    batch_name: str,
    *,
    mode: WriteMode = NEW_FILES,
    csv: CsvOptions | None = None,
    columns: Sequence[str] | None = None,
    aws_conn_id: str = "aws_default",
    log: Callable[[str], None] = lambda message: None,
) -> FileIngestResult:
    """Read the files ``source`` names into the dataset, as ``mode`` says.

    :param batch_name: the run's own file name, the same on every try of the run.
    :raises FileSourceError: if the source names no file or a file cannot be read.
    """
    found = find_files(source, aws_conn_id)
    carried: pa.Table | None = None
    kept: list[FoundFile] = []
    if mode == NEW_FILES:
        recorded = manifests(dataset_uri)
        own = recorded.pop(f"{batch_name}.parquet", [])
        done = {file for files in recorded.values() for file in files}
        to_read = [file for file in found if file not in done]
        present = {file.uri for file in found}
        kept = [file for file in own if file.uri not in present and file not in done]
        if kept:
            carried = _rows_from(dataset_uri, batch_name, [file.uri for file in kept])
        log(
            f"{len(to_read)} of {len(found)} files matching {source} are new"
            + (f"; keeping the rows of {len(kept)} that are gone since" if kept else "")
        )
    else:
        to_read = found
    with fetch_files(to_read, aws_conn_id) as local:
        tables = [read_file(file, file_format, csv, columns) for file in local]
    if carried is not None:
        tables.append(carried)
    if not tables:
        _drop_own_batch(dataset_uri, batch_name)
        return FileIngestResult(dataset_uri, len(found), 0, 0)
    table = combine(tables, source)
    manifest = {MANIFEST_KEY: encode_manifest([*to_read, *kept])}
    land(table, dataset_uri, mode, batch_name, file_metadata=manifest)
    return FileIngestResult(dataset_uri, len(found), len(to_read), table.num_rows)


def _rows_from(dataset_uri: str, batch_name: str, uris: list[str]) -> pa.Table:
    """The rows the run's own batch file took from ``uris``."""
    import pyarrow.parquet as pq

    return pq.read_table(
        f"{dataset_uri.rstrip('/')}/{batch_name}.parquet",
        filters=[(SOURCE_FILE_COLUMN, "in", uris)],
    )


def _drop_own_batch(dataset_uri: str, batch_name: str) -> None:
    """Nothing is new for this run: an earlier try's batch must not stay behind."""
    from airloom.datasets import remove_file

    remove_file(dataset_uri, f"{batch_name}.parquet")
