"""The read model: one DuckDB connection per request, holding one tenant's activity as the
contract's views (docs/insights.md): ``runs``, ``task_runs``, ``invocations``,
``deployments``, ``api_calls``.

Each connection is in memory and short-lived: it registers the tenant's events (read from
the lake once and kept in memory: :mod:`insights.readmodel.lake`), the rates of the
environment and the tenant's value definitions as small tables, then defines the views over
them. Every view also keeps only rows of ``getvariable('airloom_tenant')``, the tenant set
with a bound parameter, so the views say whose data they hold even if a dataset were ever
shared. Each event counts once (by ``event_id``) however often it was sent.

The SQL here is fixed text; nothing a caller sends is pasted into it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from insights.activity.events import KINDS
from insights.readmodel.lake import ActivityCache
from insights.readmodel.rates import DEFAULT, RatesFile

if TYPE_CHECKING:
    import duckdb

VIEWS = ("runs", "task_runs", "invocations", "deployments", "api_calls")
FINISHED = ("success", "failed")
AT = '"at"'  # a keyword in DuckDB (AT TIME ZONE): always quoted


@dataclass(frozen=True)
class Values:
    """A tenant's value definitions folded per target: USD per successful run of a
    workflow, USD per prediction of an endpoint."""

    per_run: Mapping[str, float] = field(default_factory=dict)
    per_prediction: Mapping[str, float] = field(default_factory=dict)


def _ts(column: str) -> str:
    # Producers send ISO 8601 text; a value that is not one reads as null, never an error.
    return f"TRY_CAST({column} AS TIMESTAMPTZ)"


# Events arrive here once per event_id already (:mod:`insights.readmodel.lake`); the tenant
# is the folder's, so it is the connection's.
_EVENTS = """
CREATE TEMP VIEW _{kind} AS
SELECT getvariable('airloom_tenant') AS tenant, * FROM _{kind}_files
"""

_TASK_RUNS = f"""
CREATE TEMP VIEW task_runs AS
SELECT e.tenant, e.workflow, e.dag_id, e.run_id, e.task_id, e.node_type, e.state,
       e.try_number, {_ts("e.started_at")} AS started_at, {_ts("e.ended_at")} AS ended_at,
       e.duration_s,
       coalesce(e.duration_s, 0) / 3600.0
           * coalesce(r.usd_per_hour, (SELECT usd_per_hour FROM _task_rates
                                       WHERE node_type = '{DEFAULT}')) AS cost_usd
FROM _task_run e LEFT JOIN _task_rates r ON r.node_type = e.node_type
WHERE e.tenant = getvariable('airloom_tenant')
"""

# A run's last dag_run event that says it finished; its cost is its tasks' (or, when no task
# event came, its own duration at the default task rate), its value the workflow's per run.
_RUNS = f"""
CREATE TEMP VIEW runs AS
WITH finished AS (
    SELECT * FROM _dag_run
    WHERE state IN {FINISHED}
    QUALIFY row_number() OVER (
        PARTITION BY dag_id, run_id
        ORDER BY {_ts(AT)} DESC NULLS LAST, _kafka_partition DESC, _kafka_offset DESC) = 1
), task_costs AS (
    SELECT dag_id, run_id, sum(cost_usd) AS cost_usd FROM task_runs GROUP BY dag_id, run_id
)
SELECT f.tenant, f.workflow, TRY_CAST(f.workflow_version AS INTEGER) AS workflow_version,
       f.dag_id, f.run_id, f.run_type, f.state,
       {_ts("f.started_at")} AS started_at,
       coalesce({_ts("f.ended_at")}, {_ts("f." + AT)}) AS ended_at,
       f.duration_s,
       coalesce(t.cost_usd, coalesce(f.duration_s, 0) / 3600.0
           * (SELECT usd_per_hour FROM _task_rates WHERE node_type = '{DEFAULT}')) AS cost_usd,
       CASE WHEN f.state = 'success' THEN coalesce(v.usd, 0) ELSE 0 END AS value_usd
FROM finished f
LEFT JOIN task_costs t ON t.dag_id = f.dag_id AND t.run_id = f.run_id
LEFT JOIN _values_per_run v ON v.target = coalesce(f.workflow, f.dag_id)
WHERE f.tenant = getvariable('airloom_tenant')
"""

# Serving is charged for the time requests take at the target's hourly price; value is per
# prediction of a successful request.
_INVOCATIONS = f"""
CREATE TEMP VIEW invocations AS
SELECT e.tenant, e.endpoint, e.model, e.model_version, {_ts("e." + AT)} AS "at", e.predictions,
       e.latency_ms, e.ok,
       coalesce(e.latency_ms, 0) / 3600000.0
           * coalesce(r.usd_per_hour, (SELECT usd_per_hour FROM _serving_rates
                                       WHERE target = '{DEFAULT}')) AS cost_usd,
       CASE WHEN e.ok IS TRUE THEN coalesce(e.predictions, 0) * coalesce(v.usd, 0) ELSE 0 END
           AS value_usd
FROM _invocation e
LEFT JOIN _serving_rates r ON r.target = e.target
LEFT JOIN _values_per_prediction v ON v.target = e.endpoint
WHERE e.tenant = getvariable('airloom_tenant')
"""

_DEPLOYMENTS = f"""
CREATE TEMP VIEW deployments AS
SELECT tenant, endpoint, model, model_version, action, state, target, {_ts(AT)} AS "at"
FROM _deployment WHERE tenant = getvariable('airloom_tenant')
"""

_API_CALLS = f"""
CREATE TEMP VIEW api_calls AS
SELECT tenant, service, route, method, status, tier, rate_limited, {_ts(AT)} AS "at"
FROM _api_call WHERE tenant = getvariable('airloom_tenant')
"""


def _rates_table(hourly: Mapping[str, float], key: str):
    import pyarrow as pa

    return pa.table(
        {key: list(hourly), "usd_per_hour": pa.array(list(hourly.values()), pa.float64())}
    )


def _values_table(per_target: Mapping[str, float]):
    import pyarrow as pa

    return pa.table(
        {
            "target": pa.array(list(per_target), pa.string()),
            "usd": pa.array(list(per_target.values()), pa.float64()),
        }
    )


class ReadModel:
    """Opens a tenant's read model; see the module docstring.

    :param activity_uri: ``<lake root>/_airloom/activity``.
    :param rates: the environment's rates file.
    """

    def __init__(self, activity_uri: str, rates: RatesFile) -> None:
        import duckdb

        self.activity_uri = activity_uri
        self.rates = rates
        self.activity = ActivityCache(activity_uri)
        # One in-memory database; each request gets its own connection to it (a cursor),
        # whose registered tables, views and variables no other connection sees. Opening a
        # database costs tens of milliseconds, a cursor next to nothing.
        self._database = duckdb.connect(":memory:")
        self._database.execute("SET GLOBAL TimeZone = 'UTC'")

    @contextlib.contextmanager
    def connect(
        self, tenant: str, values: Values | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection whose views hold ``tenant``'s activity and nothing else."""
        values = values or Values()
        connection = self._database.cursor()
        try:
            connection.execute("SET TimeZone = 'UTC'")
            connection.execute("SET VARIABLE airloom_tenant = ?", [tenant])
            for kind in KINDS:
                connection.register(f"_{kind}_files", self.activity.events(kind, tenant))
                connection.execute(_EVENTS.format(kind=kind))
            connection.register("_task_rates", _rates_table(self.rates.task_hourly(), "node_type"))
            connection.register(
                "_serving_rates", _rates_table(self.rates.serving_hourly(), "target")
            )
            connection.register("_values_per_run", _values_table(values.per_run))
            connection.register("_values_per_prediction", _values_table(values.per_prediction))
            for statement in (_TASK_RUNS, _RUNS, _INVOCATIONS, _DEPLOYMENTS, _API_CALLS):
                connection.execute(statement)
            yield connection
        finally:
            connection.close()
