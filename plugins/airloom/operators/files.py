"""File ingestion: CSV, JSON lines or Parquet files, local or on S3, into a lake dataset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, field_validator, model_validator

from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.resources import (
    DatasetRef,
    FileSourceRef,
    PlatformConnection,
    StorageConnectionRef,
)
from airloom.connections import LAKE_CONN_ID
from airloom.ingest.landing import NEW_FILES, WriteMode
from airloom.lake import check_dataset_name, dataset_path
from airloom.operators.base import AirloomOperator

CSV_ONLY = ("delimiter", "quote_char", "header", "column_names", "null_values")


class FileOptions(NodeParams):
    delimiter: str = Field(default=",", min_length=1, max_length=1, description="CSV only.")
    quote_char: str = Field(default='"', min_length=1, max_length=1, description="CSV only.")
    header: bool = Field(default=True, description="CSV only: the first line names the columns.")
    column_names: list[str] | None = Field(
        default=None, min_length=1, description="CSV only: names to use for the columns."
    )
    null_values: list[str] | None = Field(
        default=None, description="CSV only: strings that mean null (default: '', NULL, NaN …)."
    )
    columns: list[str] | None = Field(
        default=None, min_length=1, description="Columns to keep; default all."
    )


class FileIngestParams(NodeParams):
    source: FileSourceRef = Field(
        description="Files to read: an absolute path, file:// or s3:// URI, or lake://path for "
        "a path under the lake's root (the same spec then runs locally and on AWS); a glob such "
        "as s3://bucket/sales/2026-*.csv reads every match.",
        min_length=1,
    )
    format: Literal["csv", "jsonl", "parquet"] = Field(description="File format.")
    dataset: DatasetRef = Field(description="Lake dataset to add the rows to, e.g. 'retail/sales'.")
    write_mode: WriteMode = Field(
        default=NEW_FILES,
        description="new_files: read only files no earlier run ingested (by path, size and "
        "modification time, or ETag on S3; an edited file counts as new); replace: the dataset "
        "becomes every matching file's rows; append: add every matching file's rows on each "
        "run. In every mode a rerun of the same run replaces its own output.",
    )
    options: FileOptions = Field(default_factory=FileOptions, description="Reading options.")
    aws_conn_id: StorageConnectionRef = Field(
        default="aws_default",
        description="AWS connection for s3:// sources (endpoint_url in "
        "its extra for S3-compatible stores).",
    )
    lake_conn_id: PlatformConnection = Field(default=LAKE_CONN_ID, description="Lake connection.")

    @field_validator("dataset")
    @classmethod
    def _dataset_name(cls, value: str) -> str:
        return check_dataset_name(value)

    @field_validator("source")
    @classmethod
    def _usable_source(cls, value: str) -> str:
        from airloom.ingest.file_sources import source_problem

        problem = source_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _csv_options_only_for_csv(self) -> FileIngestParams:
        misplaced = [name for name in CSV_ONLY if name in self.options.model_fields_set]
        if misplaced and self.format != "csv":
            raise ValueError(f"options {', '.join(misplaced)} apply to csv only")
        return self


class FileIngestOperator(AirloomOperator):
    """Read CSV, JSON-lines or Parquet files (local or S3, glob allowed) into a lake dataset.

    Matching files are read with pyarrow; the rows gain a ``_source_file`` column and are
    written as one Parquet file named after the task and DAG run, so a retry replaces what its
    earlier try wrote. By default (``write_mode="new_files"``) a run reads only files that no
    other run ingested, recorded in each batch file's footer (see
    :mod:`airloom.ingest.file_ingestion`). A file that cannot be parsed fails the task naming
    the file.

    :param source: path, ``file://`` or ``s3://`` URI, glob allowed.
    :param format: ``csv``, ``jsonl`` or ``parquet``.
    :param dataset: lake dataset to add the rows to.
    :param write_mode: ``new_files`` (default), ``replace`` or ``append``.
    :param options: CSV options and the columns to keep.
    :param aws_conn_id: AWS connection for ``s3://`` sources.
    :param lake_conn_id: lake connection.
    """

    node_type = "file_ingest"
    category = "ingest"
    description = (
        "Reads CSV, JSON-lines or Parquet files from a local folder or S3 (a glob reads every "
        "match) into a Parquet dataset in the lake, recording each row's source file. By "
        "default each run reads only the files no earlier run ingested; a rerun of the same "
        "run replaces its own output instead of adding it twice."
    )
    params_model = FileIngestParams
    output_ports = (Port("table", PortType.TABLE, "The dataset the rows were added to."),)
    ui_color = "#e3f1dc"
    dataset_params = ("dataset",)
    # Runs of one ingestion take turns: two at once would both find the same file new.
    task_defaults = {"max_active_tis_per_dag": 1}

    def run(
        self, params: FileIngestParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.ingest.file_ingestion import ingest_files
        from airloom.ingest.file_sources import CsvOptions, FileSourceError, in_lake
        from airloom.ingest.naming import run_file_name
        from airloom.lake import lake_root

        options = params.options
        csv = CsvOptions(**{name: getattr(options, name) for name in CSV_ONLY})
        source = in_lake(params.source, str(lake_root(params.lake_conn_id)))
        dataset_uri = str(dataset_path(params.dataset, params.lake_conn_id))
        try:
            result = ingest_files(
                source,
                params.format,
                dataset_uri,
                run_file_name(context),
                mode=params.write_mode,
                csv=csv,
                columns=options.columns,
                aws_conn_id=params.aws_conn_id,
                log=self.log.info,
            )
        except FileSourceError as error:
            raise FileSourceError(f"node {self.task_id!r}: {error}") from error
        self.log.info(
            "Wrote %d rows from %d of %d files to %s (%s)",
            result.rows,
            result.files_read,
            result.files_found,
            dataset_uri,
            params.write_mode,
        )
        return {
            "table": dataset_uri,
            "files": result.files_read,
            "files_found": result.files_found,
            "rows": result.rows,
        }
