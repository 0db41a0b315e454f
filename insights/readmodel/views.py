"""The read model: one DuckDB connection per request, holding one tenant's activity as the
contract's views (docs/insights.md): ``runs``, ``task_runs``, ``invocations``,
``deployments``, ``api_calls``, ``aws_usage``.

Each connection is in memory and short-lived: it registers the tenant's events (read from
the lake once and kept in memory: :mod:`insights.readmodel.lake`), already priced at the
environment's rates as they landed (:mod:`insights.readmodel.facts`), and the tenant's value
definitions as small tables, then defines the views over them. Every view's ``tenant`` is
``getvariable('airloom_tenant')``, set with a bound parameter: only the tenant's own folders
were read. Each event counts once (by ``event_id``) however often it was sent.

The SQL here is fixed text; nothing a caller sends is pasted into it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from insights.readmodel.facts import AT, FactsCache
from insights.readmodel.lake import ActivityCache
from insights.readmodel.rates import RatesFile

if TYPE_CHECKING:
    import duckdb

VIEWS = ("runs", "task_runs", "invocations", "deployments", "api_calls", "aws_usage")


@dataclass(frozen=True)
class Values:
    """A tenant's value definitions folded per target: USD per successful run of a
    workflow, USD per prediction of an endpoint."""

    per_run: Mapping[str, float] = field(default_factory=dict)
    per_prediction: Mapping[str, float] = field(default_factory=dict)


# Events arrive here once per event_id already (:mod:`insights.readmodel.lake`), priced
# (:mod:`insights.readmodel.facts`); the tenant is the folder's, so it is the connection's.
_TENANT = "getvariable('airloom_tenant')"

_TASK_RUNS = f"""
CREATE TEMP VIEW task_runs AS
SELECT {_TENANT} AS tenant, * FROM _task_run_facts
"""

_AWS_USAGE = f"""
CREATE TEMP VIEW aws_usage AS
SELECT {_TENANT} AS tenant, * FROM _aws_usage_facts
"""

# A run's value is the workflow's per successful run.
_RUNS = f"""
CREATE TEMP VIEW runs AS
SELECT {_TENANT} AS tenant, f.*,
       CASE WHEN f.state = 'success' THEN coalesce(v.usd, 0) ELSE 0 END AS value_usd
FROM _run_facts f
LEFT JOIN _values_per_run v ON v.target = coalesce(f.workflow, f.dag_id)
"""

# A request's value is per prediction of a successful request.
_INVOCATIONS = f"""
CREATE TEMP VIEW invocations AS
SELECT {_TENANT} AS tenant, e.*,
       CASE WHEN e.ok IS TRUE THEN coalesce(e.predictions, 0) * coalesce(v.usd, 0) ELSE 0 END
           AS value_usd
FROM _invocation_facts e
LEFT JOIN _values_per_prediction v ON v.target = e.endpoint
"""

# Not part of the contract: the hours the figures read whole (:mod:`insights.readmodel.figures`).
_SERVING_HOURS = f"""
CREATE TEMP VIEW _serving_hours AS
SELECT {_TENANT} AS tenant, h.*, h.predictions * coalesce(v.usd, 0) AS value_usd
FROM _serving_hour_facts h
LEFT JOIN _values_per_prediction v ON v.target = h.endpoint
"""

_DEPLOYMENTS = f"""
CREATE TEMP VIEW deployments AS
SELECT {_TENANT} AS tenant, endpoint, model, model_version, action, state, target, {AT}
FROM _deployment_events
"""

_API_CALLS = f"""
CREATE TEMP VIEW api_calls AS
SELECT {_TENANT} AS tenant, service, route, method, status, tier, rate_limited, {AT}
FROM _api_call_events
"""


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
        self.facts = FactsCache(self.activity, rates)
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
        facts = self.facts.facts(tenant)
        connection = self._database.cursor()
        try:
            connection.execute("SET TimeZone = 'UTC'")
            connection.execute("SET VARIABLE airloom_tenant = ?", [tenant])
            tables = {
                "_task_run_facts": facts.task_runs,
                "_aws_usage_facts": facts.aws_usage,
                "_run_facts": facts.runs,
                "_invocation_facts": facts.invocations,
                "_serving_hour_facts": facts.serving_hours,
                "_deployment_events": self.activity.events("deployment", tenant),
                "_api_call_events": self.activity.events("api_call", tenant),
                "_values_per_run": _values_table(values.per_run),
                "_values_per_prediction": _values_table(values.per_prediction),
            }
            for name, table in tables.items():
                connection.register(name, table)
            for statement in (
                _TASK_RUNS,
                _AWS_USAGE,
                _RUNS,
                _INVOCATIONS,
                _SERVING_HOURS,
                _DEPLOYMENTS,
                _API_CALLS,
            ):
                connection.execute(statement)
            yield connection
        finally:
            connection.close()
