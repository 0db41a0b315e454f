"""A SELECT through any Airflow SQL connection (common-sql's ``DbApiHook``), as an Arrow table."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


class SqlIngestError(RuntimeError):
    """The statement is not a single SELECT, or the database refused it."""


def select_problem(sql: str) -> str | None:
    """Why ``sql`` is not exactly one read-only SELECT (a WITH … SELECT counts), or None."""
    import sqlparse

    statements = [s for s in sqlparse.parse(sql) if s.token_first(skip_cm=True) is not None]
    if len(statements) != 1:
        return f"must be exactly one statement, found {len(statements)}"
    kind = statements[0].get_type()
    if kind != "SELECT":
        return f"must be a SELECT, not {kind}"
    return None


def query_table(conn_id: str, sql: str, label: str) -> pa.Table:
    """Run ``sql`` on connection ``conn_id`` and return every row with its column names.

    :param label: who is asking (``node 'load_orders'``), for error messages.
    :raises SqlIngestError: naming the node, the connection and the statement.
    """
    from airflow.providers.common.sql.hooks.handlers import fetch_all_handler
    from airflow.providers.common.sql.hooks.sql import DbApiHook
    from airflow.sdk import BaseHook

    from airloom.ingest.tables import rows_to_table

    problem = select_problem(sql)
    if problem:
        raise SqlIngestError(f"{label}: the statement {problem}:\n{sql}")
    connection = BaseHook.get_connection(conn_id)
    hook = connection.get_hook()
    if not isinstance(hook, DbApiHook):
        raise SqlIngestError(
            f"{label}: connection {conn_id!r} (type {connection.conn_type!r}) is not a SQL "
            "connection; use one whose provider offers a DbApiHook (postgres, mysql, sqlite …)"
        )
    try:
        rows = hook.run(sql, handler=fetch_all_handler)
    except Exception as error:  # each database driver raises its own classes
        raise SqlIngestError(
            f"{label}: the statement failed on connection {conn_id!r}: "
            f"{type(error).__name__}: {error}\nstatement:\n{sql}"
        ) from error
    names = [column[0] for column in hook.last_description or ()]
    return rows_to_table(names, rows or [], f"{label}: the result of\n{sql}\n")
