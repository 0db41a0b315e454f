"""SQL ingestion: the rows of a SELECT on any Airflow SQL connection into a lake dataset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow.sdk import Context
from pydantic import Field, ValidationInfo, field_validator

from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.params import at_parse
from airloom.catalog.resources import (
    ConnectionRef,
    DatasetRef,
    PlatformConnection,
)
from airloom.connections import LAKE_CONN_ID
from airloom.ingest.landing import REPLACE, IngestWriteMode
from airloom.ingest.sql_source import DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS
from airloom.lake import check_dataset_name, dataset_path
from airloom.operators.base import AirloomOperator


class SqlIngestParams(NodeParams):
    sql: str = Field(
        description="One read-only query whose rows become the dataset: a SELECT, WITH … "
        "SELECT or UNION of SELECTs; nothing that writes, locks rows, calls functions that "
        "reach outside the query (files, sleeps, settings) or runs several statements.",
        min_length=1,
        json_schema_extra={"format": "sql"},
    )
    conn_id: ConnectionRef = Field(
        description="Airflow SQL connection to run it on (postgres, mysql, sqlite, …).",
        min_length=1,
    )
    dataset: DatasetRef = Field(
        description="Lake dataset to write the rows to, e.g. 'crm/customers'."
    )
    write_mode: IngestWriteMode = Field(
        default=REPLACE,
        description="replace: the dataset becomes the latest rows (a mirror of the source); "
        "append: each run adds its rows as a new batch, keeping history. In both modes a "
        "rerun of the same run replaces its own output.",
    )
    lake_conn_id: PlatformConnection = Field(default=LAKE_CONN_ID, description="Lake connection.")
    timeout_seconds: int = Field(
        default=DEFAULT_TIMEOUT_SECONDS,
        ge=1,
        le=MAX_TIMEOUT_SECONDS,
        description="The database stops the query after this many seconds.",
    )

    @field_validator("dataset")
    @classmethod
    def _dataset_name(cls, value: str) -> str:
        return check_dataset_name(value)

    @field_validator("sql")
    @classmethod
    def _one_read_only_query(cls, value: str, info: ValidationInfo) -> str:
        if at_parse(info):
            return value  # checked when the design is validated, and again before it runs
        from airloom.user_sql import query_problem

        # The connection's dialect is known only at run time, where the check runs again.
        problem = query_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class SqlIngestOperator(AirloomOperator):
    """Run a SELECT on an Airflow SQL connection and write its rows to a lake dataset.

    The SQL must be one read-only query (see :mod:`airloom.user_sql`); it is checked when the
    design is validated and again in the connection's dialect right before it runs. It runs
    through the connection's common-sql ``DbApiHook`` in a read-only transaction that the
    database stops after ``timeout_seconds`` (see :mod:`airloom.ingest.read_only`); column
    types come from the values. The rows replace the dataset by default; with
    ``write_mode="append"`` they become one more Parquet file named after the task and DAG run,
    so a retry replaces its earlier output either way (:mod:`airloom.ingest.landing`). A
    statement the database rejects fails the task with the node, the connection, the
    database's message and the statement.

    :param sql: one SELECT.
    :param conn_id: Airflow SQL connection id.
    :param dataset: lake dataset to write the rows to.
    :param write_mode: ``replace`` (default) or ``append``.
    :param lake_conn_id: lake connection.
    :param timeout_seconds: how long the query may run before the database stops it.
    """

    node_type = "sql_ingest"
    category = "ingest"
    description = (
        "Runs one read-only query (a SELECT) on any Airflow SQL connection (PostgreSQL, MySQL, "
        "SQLite and others, through the common-sql hook) into a Parquet dataset in the lake: "
        "by default the dataset becomes the latest result; in append mode each run adds its "
        "own batch. The query runs in a read-only transaction and is stopped after "
        "timeout_seconds. A statement the database rejects fails the node with the database's "
        "message and the statement; a retry of the same run replaces its own output."
    )
    params_model = SqlIngestParams
    output_ports = (Port("table", PortType.TABLE, "The dataset the rows were added to."),)
    ui_color = "#e3f1dc"
    dataset_params = ("dataset",)

    def run(
        self, params: SqlIngestParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.ingest.landing import land
        from airloom.ingest.naming import run_file_name
        from airloom.ingest.sql_source import query_table

        table = query_table(
            params.conn_id, params.sql, f"node {self.task_id!r}", params.timeout_seconds
        )
        dataset_uri = str(dataset_path(params.dataset, params.lake_conn_id))
        land(table, dataset_uri, params.write_mode, run_file_name(context))
        self.log.info("Wrote %d rows to %s", table.num_rows, dataset_uri)
        return {"table": dataset_uri, "rows": table.num_rows}
