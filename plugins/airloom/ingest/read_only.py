"""Run one query so that the database itself refuses writes and stops it at a deadline.

The parser in :mod:`airloom.user_sql` refuses what is not a read-only query; this is the line
behind it, for whatever slips past (a function that writes, a query that never ends). Each
database gets its own guard where it has one: PostgreSQL a read-only transaction and
``statement_timeout``; MySQL a read-only transaction and ``max_execution_time``; SQLite
``PRAGMA query_only`` and a progress handler. Nothing is ever committed: the connection is
closed without a commit, which DB-API defines as a rollback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.providers.common.sql.hooks.sql import DbApiHook

Rows = tuple[list[str], list[Any]]


class StatementTimeout(RuntimeError):
    """The database stopped the statement because it ran past its timeout."""


def read_only_query(hook: DbApiHook, engine: str | None, sql: str, timeout_seconds: int) -> Rows:
    """Run ``sql`` on a new connection of ``hook``, read-only, within ``timeout_seconds``.

    :param engine: ``postgres``, ``mysql`` or ``sqlite`` for their guards; any other value
        runs the statement in a transaction that is rolled back, with no timeout.
    :returns: the column names and every row.
    """
    with closing(hook.get_conn()) as conn:
        if hook.supports_autocommit:
            hook.set_autocommit(conn, False)
        return read_only_rows(conn, engine, sql, timeout_seconds)


def read_only_rows(conn: Any, engine: str | None, sql: str, timeout_seconds: int) -> Rows:
    """Run ``sql`` on the DB-API connection ``conn`` behind ``engine``'s guard.

    The caller owns ``conn`` and closes it without committing.
    """
    timed_out = _GUARDS.get(engine or "", _no_guard)(conn, timeout_seconds)
    with closing(conn.cursor()) as cursor:
        try:
            cursor.execute(sql)
            rows = cursor.fetchall()
        except Exception as error:  # each driver raises its own classes
            if timed_out():
                raise StatementTimeout(
                    f"{error}: the statement ran longer than its timeout of "
                    f"{timeout_seconds} s and was stopped"
                ) from error
            raise
        names = [column[0] for column in cursor.description or ()]
    return names, list(rows)


def _postgres(conn: Any, timeout_seconds: int) -> Callable[[], bool]:
    with closing(conn.cursor()) as cursor:
        cursor.execute("SET TRANSACTION READ ONLY")
        # The session's default as well, so even a second statement run after a COMMIT (had
        # one slipped past the parser) could not write.
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cursor.execute(f"SET statement_timeout = {int(timeout_seconds) * 1000}")
    return lambda: False  # PostgreSQL says "canceling statement due to statement timeout"


def _mysql(conn: Any, timeout_seconds: int) -> Callable[[], bool]:
    with closing(conn.cursor()) as cursor:
        cursor.execute("SELECT VERSION()")
        if "mariadb" in str(cursor.fetchone()[0]).lower():  # seconds, every statement
            cursor.execute(f"SET SESSION max_statement_time = {int(timeout_seconds)}")
        else:  # MySQL 5.7.8+: milliseconds, SELECT statements
            cursor.execute(f"SET SESSION max_execution_time = {int(timeout_seconds) * 1000}")
        cursor.execute("SET SESSION TRANSACTION READ ONLY")
        cursor.execute("START TRANSACTION READ ONLY")
    return lambda: False  # MySQL says "maximum statement execution time exceeded"


def _sqlite(conn: Any, timeout_seconds: int) -> Callable[[], bool]:
    conn.execute("PRAGMA query_only = ON")
    deadline = time.monotonic() + timeout_seconds

    def past_deadline() -> bool:
        return time.monotonic() > deadline

    # SQLite has no statement timeout; a progress handler that answers "stop" interrupts the
    # statement ("interrupted"), which read_only_rows then names as the timeout.
    conn.set_progress_handler(past_deadline, 10_000)
    return past_deadline


def _no_guard(conn: Any, timeout_seconds: int) -> Callable[[], bool]:
    return lambda: False


_GUARDS: dict[str, Callable[[Any, int], Callable[[], bool]]] = {
    "postgres": _postgres,
    "mysql": _mysql,
    "sqlite": _sqlite,
}
