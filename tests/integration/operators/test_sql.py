"""SQL ingestion through a real Airflow SQLite connection (common-sql's DbApiHook)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from airflow.sdk import DAG

from airloom.datasets import read_table
from airloom.operators.sql import SqlIngestOperator
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
