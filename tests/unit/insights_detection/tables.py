"""Small read models in a real DuckDB for the detector tests: tables named and shaped like
the contract's views (columns from the synthetic generator, checked against docs/insights.md),
filled with rows a test writes out, so every figure can be worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from insights.detection import synthetic

NOW = datetime(2026, 11, 30, 6, tzinfo=UTC)  # a Monday morning: the analysed week is 23-29 Nov
WEEK = datetime(2026, 11, 23, tzinfo=UTC)


def read_model(rows: dict[str, list[dict[str, Any]]]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose views hold ``rows`` (missing columns are null)."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    tables = {}
    for view, columns in synthetic.COLUMNS.items():
        data = {c: [row.get(c) for row in rows.get(view, [])] for c in columns}
        tables[view] = synthetic.table(view, data)
    history = synthetic.History("_", tables, [], [], [], [])
    synthetic.load(connection, [history])
    return connection


def run(tenant: str, workflow: str, ended: datetime, cost: float, **fields: Any) -> dict:
    duration = fields.pop("duration_s", 600.0)
    return {
        "tenant": tenant,
        "workflow": workflow,
        "dag_id": workflow,
        "run_id": f"{workflow}-{ended.isoformat()}",
        "state": fields.pop("state", "success"),
        "started_at": ended - timedelta(seconds=duration),
        "ended_at": ended,
        "duration_s": duration,
        "cost_usd": cost,
        **fields,
    }


def weekly_runs(
    tenant: str, workflow: str, weekly_costs: list[float], runs_per_week: int = 7, **fields: Any
) -> list[dict]:
    """``runs_per_week`` runs a week, the week's cost split evenly; the last cost is the
    analysed week's (23-29 Nov), the ones before it the weeks before, oldest first."""
    rows = []
    for back, cost in enumerate(reversed(weekly_costs)):
        monday = WEEK - timedelta(weeks=back)
        for n in range(runs_per_week):
            ended = monday + timedelta(days=n % 7, hours=2 + n // 7)
            rows.append(run(tenant, workflow, ended, cost / runs_per_week, **fields))
    return rows
