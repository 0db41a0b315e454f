"""A small read model in a real DuckDB: one table per contract view, with exactly the columns
docs/insights.md lists, holding two tenants' activity whose figures are worked out by hand in
the tests."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

CONTRACT = Path(__file__).resolve().parents[3] / "docs" / "insights.md"

# Column types: the contract names columns; these are the types the activity events give them.
TYPES = {
    "duration_s": "DOUBLE",
    "cost_usd": "DOUBLE",
    "value_usd": "DOUBLE",
    "latency_ms": "DOUBLE",
    "predictions": "BIGINT",
    "try_number": "INTEGER",
    "workflow_version": "INTEGER",
    "status": "INTEGER",
    "ok": "BOOLEAN",
    "rate_limited": "BOOLEAN",
    "started_at": "TIMESTAMP",
    "ended_at": "TIMESTAMP",
    "at": "TIMESTAMP",
}


# The views questions and insights read (aws_usage is in runs' cost already).
READ_VIEWS = ("runs", "task_runs", "invocations", "deployments", "api_calls")


def contract_views() -> dict[str, list[str]]:
    """The read model's views questions and insights read, and their columns, from the
    contract's table."""
    text = CONTRACT.read_text()
    section = text[text.index("## The read model") :]
    end = section.find("\n## ")  # the section ends where the next one starts
    section = section if end == -1 else section[:end]
    views: dict[str, list[str]] = {}
    for name, columns in re.findall(r"^\| `(\w+)` \| (.+) \|$", section, flags=re.M):
        views[name] = re.findall(r"`(\w+)`", columns)
    if not set(READ_VIEWS) <= set(views):
        raise ValueError(f"{CONTRACT}: the read model's views are not where expected: {views}")
    return {name: views[name] for name in READ_VIEWS}


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _rows() -> dict[str, list[dict[str, Any]]]:
    """Activity for acme (worked out in the tests) and globex (which must never show)."""
    runs = [
        # tenant, workflow, state, ended_at, duration_s, cost_usd, value_usd
        ("acme", "churn", "success", "2026-11-24T10:00", 100.0, 2.0, 10.0),
        ("acme", "churn", "failed", "2026-11-25T10:00", 300.0, 4.0, 0.0),
        ("acme", "fraud-detection", "success", "2026-11-26T10:00", 50.0, 1.0, 3.0),
        ("acme", "churn", "success", "2026-11-17T10:00", 200.0, 3.0, 6.0),
        ("globex", "churn", "success", "2026-11-24T11:00", 9.0, 1000.0, 0.0),
        ("globex", "secret-plan", "failed", "2026-11-25T11:00", 9.0, 500.0, 0.0),
    ]
    tasks = [
        # tenant, workflow, run_id, node_type, state, ended_at, duration_s, cost_usd
        ("acme", "churn", "r0", "train", "success", "2026-11-24T09:59", 60.0, 1.5),
        ("acme", "churn", "r0", "kafka_ingest", "success", "2026-11-24T09:00", 40.0, 0.5),
        ("acme", "churn", "r1", "train", "failed", "2026-11-25T09:59", 300.0, 4.0),
        ("globex", "churn", "r4", "train", "success", "2026-11-24T10:59", 9.0, 999.0),
    ]
    invocations = [
        # tenant, endpoint, model, model_version, at, predictions, latency_ms, ok, cost, value
        *[
            ("acme", "churn-scorer", "churn-model", "3", "2026-11-24T12:00", 5, lat, ok, 0.1, 0.5)
            for lat, ok in ((10.0, True), (20.0, True), (30.0, True), (40.0, False))
        ],
        ("acme", "fraud-api", "fraud-model", "1", "2026-11-25T12:00", 1, 100.0, True, 0.2, 0.0),
        ("acme", "churn-scorer", "churn-model", "2", "2026-11-18T12:00", 5, 5.0, True, 0.1, 0.5),
        (
            "globex",
            "churn-scorer",
            "churn-model",
            "9",
            "2026-11-24T12:00",
            70,
            9999.0,
            False,
            50.0,
            0,
        ),
    ]
    deployments = [
        # tenant, endpoint, model, model_version, action, state, at
        ("acme", "churn-scorer", "churn-model", "3", "deploy", "started", "2026-11-24T08:00"),
        ("acme", "churn-scorer", "churn-model", "3", "deploy", "ready", "2026-11-24T08:05"),
        ("acme", "churn-scorer", "churn-model", "2", "rollback", "started", "2026-11-25T08:00"),
        ("acme", "churn-scorer", "churn-model", "2", "rollback", "ready", "2026-11-25T08:01"),
        ("acme", "fraud-api", "fraud-model", "1", "deploy", "started", "2026-11-26T08:00"),
        ("acme", "fraud-api", "fraud-model", "1", "deploy", "failed", "2026-11-26T08:09"),
        ("globex", "churn-scorer", "churn-model", "9", "deploy", "ready", "2026-11-24T08:00"),
    ]
    calls = [
        # tenant, route, status, tier, at (count of identical calls)
        ("acme", "/api/v1/models", 200, "free", "2026-11-24T13:00", 3),
        ("acme", "/api/v1/models", 429, "free", "2026-11-24T13:01", 2),
        ("acme", "/api/v1/models/{name}", 200, "pro", "2026-11-25T13:00", 1),
        ("globex", "/api/v1/models", 429, "free", "2026-11-24T13:00", 10),
    ]
    return {
        "runs": [
            {
                "tenant": tenant,
                "workflow": workflow,
                "workflow_version": 1,
                "dag_id": workflow,
                "run_id": f"{workflow}-{number}",
                "run_type": "scheduled",
                "state": state,
                "started_at": _t(ended),
                "ended_at": _t(ended),
                "duration_s": duration,
                "cost_usd": cost,
                "value_usd": value,
            }
            for number, (tenant, workflow, state, ended, duration, cost, value) in enumerate(runs)
        ],
        "task_runs": [
            {
                "tenant": tenant,
                "workflow": workflow,
                "dag_id": workflow,
                "run_id": run_id,
                "task_id": node_type,
                "node_type": node_type,
                "state": state,
                "try_number": 1,
                "started_at": _t(ended),
                "ended_at": _t(ended),
                "duration_s": duration,
                "cost_usd": cost,
            }
            for tenant, workflow, run_id, node_type, state, ended, duration, cost in tasks
        ],
        "invocations": [
            dict(
                zip(
                    [
                        "tenant",
                        "endpoint",
                        "model",
                        "model_version",
                        "at",
                        "predictions",
                        "latency_ms",
                        "ok",
                        "cost_usd",
                        "value_usd",
                    ],
                    (*row[:4], _t(row[4]), *row[5:]),
                    strict=True,
                )
            )
            for row in invocations
        ],
        "deployments": [
            {
                "tenant": tenant,
                "endpoint": endpoint,
                "model": model,
                "model_version": version,
                "action": action,
                "state": state,
                "target": "local",
                "at": _t(at),
            }
            for tenant, endpoint, model, version, action, state, at in deployments
        ],
        "api_calls": [
            {
                "tenant": tenant,
                "service": "marketplace",
                "route": route,
                "method": "GET",
                "status": status,
                "tier": tier,
                "rate_limited": status == 429,
                "at": _t(at),
            }
            for tenant, route, status, tier, at, count in calls
            for _ in range(count)
        ],
    }


def read_model(tenants: set[str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the contract's views as tables (only ``tenants``' rows if given)."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    rows = _rows()
    for view, columns in contract_views().items():
        definition = ", ".join(f'"{c}" {TYPES.get(c, "VARCHAR")}' for c in columns)
        connection.execute(f"CREATE TABLE {view} ({definition})")
        placeholders = ", ".join("?" for _ in columns)
        for row in rows[view]:
            if tenants is None or row["tenant"] in tenants:
                assert set(row) == set(columns), (view, set(row) ^ set(columns))
                values = [row[c] for c in columns]
                connection.execute(f"INSERT INTO {view} VALUES ({placeholders})", values)
    return connection
