"""A tenant's costed facts, worked out as events land rather than by every request.

A dashboard asks many questions of the same events, and most of the work behind each was the
same: pricing every task and every request at the rates, and finding each run's finished
event. :class:`FactsCache` does that work once per event and keeps the results in memory as
Arrow tables, per tenant:

- ``task_runs``: each task event, with its ``cost_usd``;
- ``aws_usage``: what each task's calls to AWS services used, with its ``cost_usd``;
- ``invocations``: each serving request, with its ``cost_usd``;
- ``runs``: each run's last finished event, with its tasks' cost and their AWS calls';
- ``serving_hours``: invocations summed per endpoint, model and hour (predictions of
  successful requests, cost), so that a year of serving is thousands of rows, not millions.

Task runs and invocations are priced row by row, so only rows that landed since the last
request are priced and appended; their hours are summed and merged the same way. Runs are
derived again (from all dag_run events and the priced tasks) only when either changed. What
a business says a run or a prediction is worth changes through the API at any time, so value
is not part of a fact: the request's views add it (:mod:`insights.readmodel.views`).

The SQL here is fixed text; the rates are bound as tables.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from insights.readmodel.lake import ActivityCache, Snapshot
from insights.readmodel.rates import DEFAULT, RatesFile

if TYPE_CHECKING:
    import pyarrow as pa

FINISHED = ("success", "failed")
AT = '"at"'  # a keyword in DuckDB (AT TIME ZONE): always quoted

_TASK_COST = f"""
SELECT e.workflow, e.dag_id, e.run_id, e.task_id, e.node_type, e.state, e.try_number,
       e.started_at, e.ended_at, e.duration_s,
       coalesce(e.duration_s, 0) / 3600.0
           * coalesce(r.usd_per_hour, (SELECT usd_per_hour FROM _task_rates
                                       WHERE node_type = '{DEFAULT}')) AS cost_usd
FROM _new e LEFT JOIN _task_rates r ON r.node_type = e.node_type
"""

# An operation's units at its own rate, else at its service's; a unit the rate is not priced in
# is not priced (``priced`` false), never priced as another unit.
_USAGE_COST = f"""
SELECT e.workflow, e.dag_id, e.run_id, e.task_id, e.node_type, e.service, e.operation,
       e.requests, e.units, e.unit, e.retries, e.failed_rows, e.{AT},
       coalesce(e.units, 0) * coalesce(op.usd_per_unit, svc.usd_per_unit, 0) AS cost_usd,
       coalesce(op.usd_per_unit, svc.usd_per_unit) IS NOT NULL AS priced
FROM _new e
LEFT JOIN _aws_prices op ON op.operation = e.service || '.' || e.operation AND op.unit = e.unit
LEFT JOIN _aws_prices svc ON svc.operation = e.service AND svc.unit = e.unit
"""

# Serving is charged for the time requests take at the target's hourly price.
_INVOCATION_COST = f"""
SELECT e.endpoint, e.model, e.model_version, e.{AT}, e.predictions, e.latency_ms, e.ok,
       coalesce(e.latency_ms, 0) / 3600000.0
           * coalesce(r.usd_per_hour, (SELECT usd_per_hour FROM _serving_rates
                                       WHERE target = '{DEFAULT}')) AS cost_usd
FROM _new e LEFT JOIN _serving_rates r ON r.target = e.target
"""

_HOURS = f"""
SELECT endpoint, model, date_trunc('hour', {AT}) AS hour,
       sum(CASE WHEN ok IS TRUE THEN coalesce(predictions, 0) ELSE 0 END)::BIGINT AS predictions,
       sum(cost_usd) AS cost_usd
FROM _new WHERE {AT} IS NOT NULL
GROUP BY ALL
"""
_MERGE_HOURS = """
SELECT endpoint, model, hour, sum(predictions)::BIGINT AS predictions, sum(cost_usd) AS cost_usd
FROM _new GROUP BY ALL
"""

# A run's last dag_run event that says it finished; its cost is its tasks' (or, when no task
# event came, its own duration at the default task price).
_RUNS = f"""
WITH finished AS (
    SELECT * FROM _dag_run
    WHERE state IN {FINISHED}
    QUALIFY row_number() OVER (
        PARTITION BY dag_id, run_id
        ORDER BY {AT} DESC NULLS LAST, _kafka_partition DESC, _kafka_offset DESC) = 1
), task_costs AS (
    SELECT dag_id, run_id, sum(cost_usd) AS cost_usd FROM _task_runs GROUP BY dag_id, run_id
), usage_costs AS (
    SELECT dag_id, run_id, sum(cost_usd) AS cost_usd FROM _aws_usage GROUP BY dag_id, run_id
)
SELECT f.workflow, TRY_CAST(f.workflow_version AS INTEGER) AS workflow_version,
       f.dag_id, f.run_id, f.run_type, f.state, f.started_at,
       coalesce(f.ended_at, f.{AT}) AS ended_at, f.duration_s,
       coalesce(t.cost_usd, coalesce(f.duration_s, 0) / 3600.0
           * (SELECT usd_per_hour FROM _task_rates WHERE node_type = '{DEFAULT}'))
           + coalesce(u.cost_usd, 0) AS cost_usd
FROM finished f
LEFT JOIN task_costs t ON t.dag_id = f.dag_id AND t.run_id = f.run_id
LEFT JOIN usage_costs u ON u.dag_id = f.dag_id AND u.run_id = f.run_id
"""


@dataclass
class _Derived:
    """What was derived from a source so far: from how many of its rows of which
    generation, and the result."""

    generation: int = -1
    rows: int = 0
    table: pa.Table | None = None


@dataclass
class _TenantFacts:
    task_runs: _Derived = field(default_factory=_Derived)
    aws_usage: _Derived = field(default_factory=_Derived)
    invocations: _Derived = field(default_factory=_Derived)
    serving_hours: _Derived = field(default_factory=_Derived)
    runs: pa.Table | None = None
    runs_from: tuple[int, ...] | None = None  # what ``runs`` was derived from
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Facts:
    task_runs: pa.Table
    aws_usage: pa.Table
    invocations: pa.Table
    runs: pa.Table
    serving_hours: pa.Table


class FactsCache:
    """Each tenant's :class:`Facts`, kept up to date with its activity; see the module
    docstring. Holds as many tenants as ``activity`` does, and lets go the same way."""

    def __init__(self, activity: ActivityCache, rates: RatesFile) -> None:
        import duckdb

        self.activity = activity
        self._task_rates = _rates_table(rates.task_hourly(), "node_type")
        self._serving_rates = _rates_table(rates.serving_hourly(), "target")
        self._aws_prices = _prices_table(rates.aws_unit_prices())
        self._held: OrderedDict[str, _TenantFacts] = OrderedDict()
        self._lock = threading.Lock()
        self._database = duckdb.connect(":memory:")
        self._database.execute("SET GLOBAL TimeZone = 'UTC'")

    def facts(self, tenant: str) -> Facts:
        """``tenant``'s facts, including every event landed until now."""
        with self._lock:
            held = self._held.setdefault(tenant, _TenantFacts())
            self._held.move_to_end(tenant)
            while len(self._held) > self.activity.max_tenants:
                self._held.popitem(last=False)
        with held.lock:  # one pricer per tenant; the others wait for its result
            tasks = self._derive(
                held.task_runs, self.activity.snapshot("task_run", tenant), _TASK_COST
            )
            usage = self._derive(
                held.aws_usage, self.activity.snapshot("aws_usage", tenant), _USAGE_COST
            )
            calls = self._derive(
                held.invocations, self.activity.snapshot("invocation", tenant), _INVOCATION_COST
            )
            hours = self._derive(
                held.serving_hours,
                Snapshot(calls, held.invocations.generation),
                _HOURS,
                merge=_MERGE_HOURS,
            )
            dag_runs = self.activity.snapshot("dag_run", tenant)
            source = (
                dag_runs.generation,
                dag_runs.table.num_rows,
                held.task_runs.generation,
                held.task_runs.rows,
                held.aws_usage.generation,
                held.aws_usage.rows,
            )
            if held.runs is None or held.runs_from != source:
                held.runs = self._sql(
                    _RUNS, _dag_run=dag_runs.table, _task_runs=tasks, _aws_usage=usage
                )
                held.runs_from = source
            return Facts(
                task_runs=tasks,
                aws_usage=usage,
                invocations=calls,
                runs=held.runs,
                serving_hours=hours,
            )

    def _derive(
        self, derived: _Derived, source: Snapshot, statement: str, merge: str | None = None
    ) -> pa.Table:
        """``derived`` brought up to ``source``: ``statement`` runs on the rows it has not
        seen yet, appended to what it gave before (then combined by ``merge``, if given)."""
        import pyarrow as pa

        if derived.generation != source.generation:  # the files were rewritten: start over
            derived.generation, derived.rows, derived.table = source.generation, 0, None
        if derived.table is None or source.table.num_rows > derived.rows:
            added = self._sql(statement, _new=source.table.slice(derived.rows))
            if derived.table is not None:
                added = pa.concat_tables([derived.table, added])
                if merge:
                    added = self._sql(merge, _new=added)
            derived.table = added
            derived.rows = source.table.num_rows
        return derived.table

    def _sql(self, statement: str, **tables: pa.Table) -> pa.Table:
        with self._database.cursor() as connection:
            connection.execute("SET TimeZone = 'UTC'")
            connection.register("_task_rates", self._task_rates)
            connection.register("_serving_rates", self._serving_rates)
            connection.register("_aws_prices", self._aws_prices)
            for name, table in tables.items():
                connection.register(name, table)
            return connection.sql(statement).to_arrow_table()


def _rates_table(hourly: dict[str, float], key: str) -> pa.Table:
    import pyarrow as pa

    return pa.table(
        {key: list(hourly), "usd_per_hour": pa.array(list(hourly.values()), pa.float64())}
    )


def _prices_table(prices: list[tuple[str, str, float]]) -> pa.Table:
    import pyarrow as pa

    return pa.table(
        {
            "operation": pa.array([operation for operation, _, _ in prices], pa.string()),
            "unit": pa.array([unit for _, unit, _ in prices], pa.string()),
            "usd_per_unit": pa.array([usd for _, _, usd in prices], pa.float64()),
        }
    )
