"""SQL ingestion through a real Airflow SQLite connection (common-sql's DbApiHook); the
read-only guard and timeout against real SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from airflow.providers.sqlite.hooks.sqlite import SqliteHook
from airflow.sdk import DAG
from sqlalchemy.engine import make_url

from airloom.catalog import params_problems
from airloom.datasets import read_table
from airloom.ingest.read_only import read_only_query, read_only_rows
from airloom.ingest.sql_source import SqlIngestError, query_table
from airloom.operators.sql import SqlIngestOperator, SqlIngestParams
from airloom.user_sql import query_problem
from tests.harness.airflow import run_dag_object
from tests.integration.operators.ingest_support import connect, unique_name

REVENUE_PER_CUSTOMER = """
WITH paid AS (SELECT * FROM orders WHERE status = 'paid')
SELECT c.id AS customer_id, c.name, COUNT(p.id) AS orders, SUM(p.amount) AS revenue
FROM customers c LEFT JOIN paid p ON p.customer_id = c.id
GROUP BY c.id, c.name
ORDER BY c.id
"""


@pytest.fixture
def shop_db(monkeypatch: pytest.MonkeyPatch, lake: Path, tmp_path: Path) -> str:
    """A SQLite database with customers and orders, as the Airflow connection 'shop_db'."""
    connect(monkeypatch, lake)
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL,
                                 status TEXT);
            INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace'), (3, 'Linus');
            INSERT INTO orders VALUES (10, 1, 30.0, 'paid'), (11, 1, 12.5, 'paid'),
                                      (12, 2, 99.0, 'refunded'), (13, 3, 5.25, 'paid');
            """
        )
    monkeypatch.setenv(
        "AIRFLOW_CONN_SHOP_DB", json.dumps({"conn_type": "sqlite", "host": str(path)})
    )
    return "shop_db"


def test_the_rows_of_a_select_land_in_the_lake(airflow_db, shop_db: str, lake: Path) -> None:
    dataset = unique_name("revenue")
    with DAG(unique_name("sql"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        SqlIngestOperator(
            task_id="revenue", sql=REVENUE_PER_CUSTOMER, conn_id=shop_db, dataset=dataset
        )

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    assert result.xcoms["revenue"] == {"table": f"{lake.as_uri()}/{dataset}", "rows": 3}
    assert read_table(f"{lake.as_uri()}/{dataset}").to_pylist() == [
        {"customer_id": 1, "name": "Ada", "orders": 2, "revenue": 42.5},
        {"customer_id": 2, "name": "Grace", "orders": 0, "revenue": None},
        {"customer_id": 3, "name": "Linus", "orders": 1, "revenue": 5.25},
    ]


def test_replace_mirrors_the_query_append_keeps_each_run_once(
    airflow_db, shop_db: str, lake: Path, tmp_path: Path
) -> None:
    mirror, history = unique_name("mirror"), unique_name("history")
    with DAG(unique_name("sql_modes"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        common = {"sql": "SELECT id, name FROM customers", "conn_id": shop_db}
        SqlIngestOperator(task_id="mirror", dataset=mirror, **common)  # replace, the default
        SqlIngestOperator(task_id="history", dataset=history, write_mode="append", **common)

    def ids(dataset: str) -> list[int]:
        return sorted(read_table(f"{lake.as_uri()}/{dataset}")["id"].to_pylist())

    assert run_dag_object(dag, logical_date=datetime(2026, 6, 1, tzinfo=UTC)).succeeded
    with sqlite3.connect(tmp_path / "shop.db") as db:
        db.execute("INSERT INTO customers VALUES (4, 'Barbara')")
    day2 = datetime(2026, 6, 2, tzinfo=UTC)
    assert run_dag_object(dag, logical_date=day2).succeeded
    assert ids(mirror) == [1, 2, 3, 4]
    assert ids(history) == [1, 1, 2, 2, 3, 3, 4]

    assert run_dag_object(dag, logical_date=day2).succeeded  # day 2 cleared and run again
    assert ids(mirror) == [1, 2, 3, 4]
    assert ids(history) == [1, 1, 2, 2, 3, 3, 4]


def test_a_bad_statement_fails_the_node_naming_the_statement(
    airflow_db, shop_db: str, lake: Path, capfd: pytest.CaptureFixture
) -> None:
    dataset = unique_name("nothing")
    with DAG(unique_name("bad_sql"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        SqlIngestOperator(
            task_id="load_orders",
            sql="SELECT id, amount FROM orderz",
            conn_id=shop_db,
            dataset=dataset,
        )

    result = run_dag_object(dag)

    assert result.task_states == {"load_orders": "failed"}
    task_logs = "".join(capfd.readouterr())
    assert "node 'load_orders': the statement failed on connection 'shop_db'" in task_logs
    assert "no such table: orderz" in task_logs
    assert "SELECT id, amount FROM orderz" in task_logs
    assert not (lake / dataset).exists()


def test_sql_that_is_not_one_read_only_query_never_reaches_the_database(
    airflow_db, shop_db: str
) -> None:
    hidden_delete = "WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone"
    # What the builder reports when the design is validated, before anything is published.
    found = params_problems(
        SqlIngestParams, {"sql": hidden_delete, "conn_id": shop_db, "dataset": "x"}
    )
    assert [(p.field, p.message) for p in found] == [
        ("sql", "Value error, must only read data, but it contains DELETE inside a WITH clause")
    ]
    # Checked again right before it runs, in the connection's own dialect.
    with pytest.raises(SqlIngestError) as refused:
        query_table(shop_db, "DELETE FROM orders", "node 'load'")
    assert str(refused.value) == (
        "node 'load': the statement must be a SELECT, not DELETE:\nDELETE FROM orders"
    )
    assert _order_count(shop_db) == 4


def test_the_database_refuses_a_write_the_parser_did_not_catch(airflow_db, shop_db: str) -> None:
    # The parser would refuse this DELETE; here it goes straight to the database's guard.
    with pytest.raises(sqlite3.OperationalError, match="attempt to write a readonly database"):
        read_only_query(SqliteHook(sqlite_conn_id=shop_db), "sqlite", "DELETE FROM orders", 60)
    assert _order_count(shop_db) == 4


def test_a_query_that_runs_too_long_is_stopped_by_its_timeout(
    airflow_db, shop_db: str, lake: Path, capfd: pytest.CaptureFixture
) -> None:
    dataset = unique_name("endless")
    with DAG(unique_name("slow_sql"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        SqlIngestOperator(
            task_id="count_forever",
            sql=ENDLESS_COUNT,
            conn_id=shop_db,
            dataset=dataset,
            timeout_seconds=1,
        )

    started = time.monotonic()
    result = run_dag_object(dag)

    assert result.task_states == {"count_forever": "failed"}
    assert time.monotonic() - started < 60  # the count itself would take hours
    task_logs = "".join(capfd.readouterr())
    assert "node 'count_forever': the statement failed on connection 'shop_db'" in task_logs
    assert "ran longer than its timeout of 1 s and was stopped" in task_logs
    assert not (lake / dataset).exists()


# Counts to a trillion; nothing in it writes or calls a function, so only the timeout stops it.
ENDLESS_COUNT = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000000) "
    "SELECT COUNT(*) AS rows FROM n"
)


def _order_count(conn_id: str) -> int:
    hook = SqliteHook(sqlite_conn_id=conn_id)
    return hook.get_first("SELECT COUNT(*) FROM orders")[0]


@pytest.fixture
def postgres() -> Iterator[psycopg.Connection]:
    """A connection to the PostgreSQL of AIRLOOM_TEST_POSTGRES_URL, in a schema of its own."""
    url = os.environ.get("AIRLOOM_TEST_POSTGRES_URL")
    if not url:
        reason = "AIRLOOM_TEST_POSTGRES_URL is not set (.ci/postgres.sh starts a PostgreSQL)"
        if os.environ.get("AIRLOOM_CI") == "1":
            pytest.fail(f"{reason}; AIRLOOM_CI=1: CI must run this test")
        pytest.skip(reason=reason)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    schema = unique_name("sql_ingest")
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        admin.execute(f"SET search_path TO {schema}")
        admin.execute("CREATE TABLE orders (id int PRIMARY KEY, amount numeric)")
        admin.execute("INSERT INTO orders VALUES (1, 30.0), (2, 12.5)")
        # A function that writes: a SELECT calling it looks harmless to any parser.
        admin.execute(
            "CREATE FUNCTION add_order() RETURNS int LANGUAGE sql AS "
            "$$ INSERT INTO orders VALUES (99, 0) RETURNING id $$"
        )
        conn = psycopg.connect(dsn, options=f"-c search_path={schema}")
        try:
            yield conn
        finally:
            conn.close()  # without a commit, as sql_ingest closes its connections
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def test_postgres_refuses_a_write_hidden_in_a_function(postgres: psycopg.Connection) -> None:
    assert query_problem("SELECT add_order()", "postgres") is None  # it slips past the parser
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction, match="read-only transaction"):
        read_only_rows(postgres, "postgres", "SELECT add_order()", 60)
    postgres.rollback()
    # The same connection, guarded again, still reads; nothing was written.
    names, rows = read_only_rows(postgres, "postgres", "SELECT id FROM orders ORDER BY id", 60)
    assert (names, rows) == (["id"], [(1,), (2,)])


def test_postgres_stops_a_long_query_at_its_timeout(postgres: psycopg.Connection) -> None:
    endless = "SELECT COUNT(*) FROM generate_series(1, 1000000000000)"
    assert query_problem(endless, "postgres") is None
    started = time.monotonic()
    with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
        read_only_rows(postgres, "postgres", endless, 1)
    assert time.monotonic() - started < 30
