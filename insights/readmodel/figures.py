"""KPIs and ROI over the read model's views, as fixed SQL with bound parameters.

What a caller chooses (the dimension, the grain) picks one of the fixed statements or is a
bound value; nothing a caller sends becomes SQL text. ROI is (value - cost) / cost, null when
there is no cost to return on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    import duckdb

Dimension = Literal["workflow", "model", "endpoint", "tenant"]
Grain = Literal["day", "week", "month"]
DIMENSIONS: tuple[Dimension, ...] = ("workflow", "model", "endpoint", "tenant")
GRAINS: tuple[Grain, ...] = ("day", "week", "month")

# Per dimension, the facts it is figured from: (key, time, runs, failures, predictions,
# cost, value). Workflows return through their runs, models and endpoints through serving,
# a tenant through both. Serving is read by the hour for the hours the range holds whole,
# and request by request only at its ragged ends: the same sums, from thousands of rows
# rather than millions (hours never straddle a day, week or month).
_RUN_FACTS = """
    SELECT {key} AS key, ended_at AS "at", 1 AS runs,
           CASE WHEN state = 'failed' THEN 1 ELSE 0 END AS failures, 0 AS predictions,
           cost_usd, value_usd
    FROM runs"""
_SERVING_FACTS = """
    SELECT {key} AS key, hour AS "at", 0 AS runs, 0 AS failures, predictions, cost_usd,
           value_usd
    FROM _serving_hours WHERE hour >= $whole_from AND hour < $whole_until
    UNION ALL
    SELECT {key} AS key, "at", 0 AS runs, 0 AS failures,
           CASE WHEN ok IS TRUE THEN coalesce(predictions, 0) ELSE 0 END AS predictions,
           cost_usd, value_usd
    FROM invocations
    WHERE ("at" >= $since AND "at" < $whole_from) OR ("at" >= $whole_until AND "at" < $until)"""
FACTS: dict[Dimension, str] = {
    # Built-in DAGs have no workflow name: the contract names them by their DAG id.
    "workflow": _RUN_FACTS.format(key="coalesce(workflow, dag_id)"),
    "endpoint": _SERVING_FACTS.format(key="endpoint"),
    "model": _SERVING_FACTS.format(key="coalesce(model, '(unknown model)')"),
    "tenant": _RUN_FACTS.format(key="tenant")
    + "\n    UNION ALL"
    + _SERVING_FACTS.format(key="tenant"),
}

# Sums of integers are HUGEINT in DuckDB, which fetches to Python four times slower than BIGINT.
_TOTALS = """
    count(*) FILTER (WHERE runs = 1) AS runs,
    coalesce(sum(failures), 0)::BIGINT AS failures,
    coalesce(sum(predictions), 0)::BIGINT AS predictions,
    coalesce(sum(cost_usd), 0) AS cost_usd,
    coalesce(sum(value_usd), 0) AS value_usd"""


class Figures(NamedTuple):  # tuples: a year of weekly rows is thousands of them
    runs: int
    failures: int
    predictions: int
    cost_usd: float
    value_usd: float

    @property
    def roi(self) -> float | None:
        """(value - cost) / cost; None when nothing cost anything."""
        if self.cost_usd == 0:
            return None
        return (self.value_usd - self.cost_usd) / self.cost_usd


class RoiRow(NamedTuple):
    key: str
    period_start: datetime
    figures: Figures


def kpis(connection: duckdb.DuckDBPyConnection, since: datetime, until: datetime) -> Figures:
    """Runs, failures, predictions, cost and value of the tenant in ``[since, until)``."""
    sql = f'SELECT {_TOTALS} FROM ({FACTS["tenant"]}) WHERE "at" >= $since AND "at" < $until'
    row = connection.execute(sql, _bound(sql, _range(since, until))).fetchone()
    return _figures(row)


def roi(
    connection: duckdb.DuckDBPyConnection,
    by: Dimension,
    grain: Grain,
    since: datetime,
    until: datetime,
) -> list[RoiRow]:
    """Figures per ``by`` and ``grain`` period starting in ``[since, until)``, oldest first."""
    if by not in FACTS or grain not in GRAINS:  # the route validates; this guards the SQL
        raise ValueError(f"unknown dimension {by!r} or grain {grain!r}")
    # Periods are truncated as UTC wall time and given their zone here: fetching zoned
    # timestamps costs DuckDB twice as long as the query (the connection's zone is UTC).
    sql = f"""
        SELECT key, date_trunc($grain, "at"::TIMESTAMP) AS period_start, {_TOTALS}
        FROM ({FACTS[by]})
        WHERE "at" >= $since AND "at" < $until
        GROUP BY key, period_start
        ORDER BY period_start, key"""
    rows = connection.execute(sql, _bound(sql, {"grain": grain, **_range(since, until)})).fetchall()
    # A year by week is thousands of rows but only 53 periods: each is given its zone once.
    # DuckDB returns the totals as Python ints and floats already (counts and sums of ints,
    # sums of doubles), so they become Figures as they are.
    zoned = {period: period.replace(tzinfo=UTC) for period in {row[1] for row in rows}}
    return [RoiRow(row[0], zoned[row[1]], Figures._make(row[2:])) for row in rows]


def _range(since: datetime, until: datetime) -> dict[str, datetime]:
    """The bound parameters of a time range: its ends, and the whole hours within it."""
    hour = timedelta(hours=1)
    whole_from = since.replace(minute=0, second=0, microsecond=0)
    if whole_from < since:
        whole_from += hour
    whole_until = until.replace(minute=0, second=0, microsecond=0)
    return {"since": since, "until": until, "whole_from": whole_from, "whole_until": whole_until}


def _bound(sql: str, parameters: dict[str, object]) -> dict[str, object]:
    """The parameters ``sql`` names (DuckDB refuses any it does not)."""
    return {name: value for name, value in parameters.items() if f"${name}" in sql}


def _figures(row: tuple | None) -> Figures:
    runs, failures, predictions, cost, value = row or (0, 0, 0, 0, 0)
    return Figures(int(runs), int(failures), int(predictions), float(cost), float(value))
