"""How an ingest node's rows land in its dataset: its write mode.

``append``
    Each run adds one batch file named after the task and the DAG run (``run-…``), so clearing
    and rerunning the run replaces that file instead of adding the rows twice.
``replace``
    The dataset becomes this run's rows: they are written whole as one file (a temporary name
    renamed over the old file locally, a single PUT on S3), and only then are other data files
    removed. A failed write leaves the old data in place.
``new_files``
    (file sources) like ``append``, but a run reads only the files no other run has ingested
    yet; which files a batch holds is recorded in the batch file's own footer, so the rows and
    the record of them commit in one step (:mod:`airloom.ingest.file_ingestion`).

Whatever the mode, in-flight files left by a crashed write are removed before the next write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pyarrow as pa

WriteMode = Literal["new_files", "replace", "append"]
# Sources that are not files (an API, a query) have no files to tell new from ingested.
IngestWriteMode = Literal["replace", "append"]
NEW_FILES: WriteMode = "new_files"
REPLACE: WriteMode = "replace"
APPEND: WriteMode = "append"
# The one file a dataset written in ``replace`` mode holds.
REPLACED_FILE = "current"


def file_name_for(mode: WriteMode, batch_name: str) -> str:
    """The data file (without ``.parquet``) a write in ``mode`` puts its rows in."""
    return REPLACED_FILE if mode == REPLACE else batch_name


def land(
    table: pa.Table,
    dataset_uri: str,
    mode: WriteMode,
    batch_name: str,
    file_metadata: Mapping[str, str] | None = None,
) -> list[str]:
    """Write ``table`` into the dataset as ``mode`` says; returns the URIs written.

    :param batch_name: the run's own file name (``airloom.ingest.naming.run_file_name``).
    :param file_metadata: footer key-values that must commit with the rows.
    """
    from airloom.datasets import remove_data_files, remove_leftovers, write_table

    name = file_name_for(mode, batch_name)
    remove_leftovers(dataset_uri, name)
    written = write_table(table, dataset_uri, name, file_metadata=file_metadata)
    if mode == REPLACE:
        remove_data_files(dataset_uri, keep=written)
    return written
