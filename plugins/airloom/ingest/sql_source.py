"""A SELECT through any Airflow SQL connection (common-sql's ``DbApiHook``), as an Arrow table."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

# How long a statement may run unless its node says otherwise, and the most it may say.
DEFAULT_TIMEOUT_SECONDS = 600
MAX_TIMEOUT_SECONDS = 6 * 3600


class SqlIngestError(RuntimeError):
    """The statement is not a single read-only query, or the database refused it."""


def query_table(
    conn_id: str, sql: str, label: str, timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
) -> pa.Table:
    """Run ``sql`` on connection ``conn_id`` and return every row with its column names.

    The statement is checked again in the connection's own SQL dialect, then runs read-only
    and is stopped after ``timeout_seconds`` (see :mod:`airloom.ingest.read_only`).

    :param label: who is asking (``node 'load_orders'``), for error messages.
    :raises SqlIngestError: naming the node, the connection and the statement.
    """
    from airflow.providers.common.sql.hooks.sql import DbApiHook
    from airflow.sdk import BaseHook

    from airloom.ingest.read_only import read_only_query
    from airloom.ingest.tables import rows_to_table
    from airloom.user_sql import connection_dialect, query_problem

    connection = BaseHook.get_connection(conn_id)
    hook = connection.get_hook()
    if not isinstance(hook, DbApiHook):
        raise SqlIngestError(
            f"{label}: connection {conn_id!r} (type {connection.conn_type!r}) is not a SQL "
            "connection; use one whose provider offers a DbApiHook (postgres, mysql, sqlite …)"
        )
    dialect = connection_dialect(connection.conn_type)
    problem = query_problem(sql, dialect)
    if problem:
        raise SqlIngestError(f"{label}: the statement {problem}:\n{sql}")
    try:
        names, rows = read_only_query(hook, dialect, sql, timeout_seconds)
    except Exception as error:  # each database driver raises its own classes
        raise SqlIngestError(
            f"{label}: the statement failed on connection {conn_id!r}: "
            f"{type(error).__name__}: {error}\nstatement:\n{sql}"
        ) from error
    return rows_to_table(names, rows, f"{label}: the result of\n{sql}\n")
