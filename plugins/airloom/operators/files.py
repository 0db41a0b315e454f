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

    Every matching file is read with pyarrow; the rows gain a ``_source_file`` column and are
    written as one Parquet file named after the task and DAG run, so a retry replaces what its
    earlier try wrote. A file that cannot be parsed fails the task naming the file.

    :param source: path, ``file://`` or ``s3://`` URI, glob allowed.
    :param format: ``csv``, ``jsonl`` or ``parquet``.
    :param dataset: lake dataset to add the rows to.
    :param options: CSV options and the columns to keep.
    :param aws_conn_id: AWS connection for ``s3://`` sources.
    :param lake_conn_id: lake connection.
    """

    node_type = "file_ingest"
    category = "ingest"
    description = (
        "Reads CSV, JSON-lines or Parquet files from a local folder or S3 (a glob reads every "
        "match) into a Parquet dataset in the lake, recording each row's source file. A retry "
        "of the same run replaces its own output instead of adding it twice."
    )
    params_model = FileIngestParams
    output_ports = (Port("table", PortType.TABLE, "The dataset the rows were added to."),)
    ui_color = "#e3f1dc"
    dataset_params = ("dataset",)

    def run(
        self, params: FileIngestParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.datasets import write_table
        from airloom.ingest.file_sources import (
            CsvOptions,
            FileSourceError,
            combine,
            in_lake,
            read_file,
            resolve_files,
        )
        from airloom.ingest.naming import run_file_name
        from airloom.lake import lake_root

        options = params.options
        csv = CsvOptions(**{name: getattr(options, name) for name in CSV_ONLY})
        source = in_lake(params.source, str(lake_root(params.lake_conn_id)))
        try:
            with resolve_files(source, params.aws_conn_id) as files:
                self.log.info("Reading %d files matching %s", len(files), params.source)
                tables = [read_file(file, params.format, csv, options.columns) for file in files]
            table = combine(tables, params.source)
        except FileSourceError as error:
            raise FileSourceError(f"node {self.task_id!r}: {error}") from error
        dataset_uri = str(dataset_path(params.dataset, params.lake_conn_id))
        write_table(table, dataset_uri, run_file_name(context))
        self.log.info("Wrote %d rows from %d files to %s", table.num_rows, len(files), dataset_uri)
        return {"table": dataset_uri, "files": len(files), "rows": table.num_rows}
