"""The semantic layer: every metric and dimension a question can name, each defined once.

A metric is one aggregate SQL expression over one of the read model's views (docs/insights.md:
``runs``, ``task_runs``, ``invocations``, ``deployments``, ``api_calls``) and only their
columns. Money is the one thing two views hold: a run's cost and an invocation's cost are both
the tenant's spend, so the ``ledger`` source is those two views side by side (a run has no
endpoint, an invocation no workflow). A metric may be answerable from several sources; the
compiler takes the first one that has every column the question groups or filters by, so "cost
per workflow" reads runs, "cost per endpoint" invocations and "cost per node type" task runs.

Nothing here is user text: these names are the allow-list every identifier in the generated SQL
comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """A relation a metric is computed over, with the timestamp that places a row in time.

    :param name: the source's name in the layer.
    :param relation: SQL for the relation: a view name, or a subquery over views.
    :param time_column: the column a time range and a time grain apply to.
    :param dimensions: the dimensions (columns) this source can group and filter by.
    """

    name: str
    relation: str
    time_column: str
    dimensions: frozenset[str]


@dataclass(frozen=True)
class Metric:
    """One figure a question can ask for.

    :param name: the metric's name in a Query.
    :param label: how the answer names it, in English.
    :param unit: what the number counts (``runs``, ``USD``, ``ms``, ``ratio`` …).
    :param expressions: source name → aggregate SQL expression, in order of preference.
    :param higher_is_better: whether "top" means the largest (for ranking words like "worst").
    """

    name: str
    label: str
    unit: str
    expressions: dict[str, str] = field(default_factory=dict)
    higher_is_better: bool = True


@dataclass(frozen=True)
class Dimension:
    """Something answers can be broken down by or filtered on.

    :param name: the dimension's name in a Query (also its column in every source that has it).
    :param label: singular English name ("endpoint").
    :param plural: plural English name ("endpoints").
    """

    name: str
    label: str
    plural: str


_LEDGER = (
    "(SELECT tenant, workflow, CAST(workflow_version AS VARCHAR) AS workflow_version, "
    "CAST(NULL AS VARCHAR) AS endpoint, CAST(NULL AS VARCHAR) AS model, "
    "CAST(NULL AS VARCHAR) AS model_version, "
    'ended_at AS "at", cost_usd, value_usd FROM runs '
    "UNION ALL SELECT tenant, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), endpoint, model, "
    'CAST(model_version AS VARCHAR), "at", cost_usd, value_usd FROM invocations)'
)

SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "runs",
            "runs",
            "ended_at",
            frozenset({"tenant", "workflow", "workflow_version", "dag_id", "run_type", "state"}),
        ),
        Source(
            "task_runs",
            "task_runs",
            "ended_at",
            frozenset({"tenant", "workflow", "dag_id", "task_id", "node_type", "state"}),
        ),
        Source(
            "ledger",
            _LEDGER,
            "at",
            frozenset(
                {"tenant", "workflow", "workflow_version", "endpoint", "model", "model_version"}
            ),
        ),
        Source(
            "invocations",
            "invocations",
            "at",
            frozenset({"tenant", "endpoint", "model", "model_version"}),
        ),
        Source(
            "deployments",
            "deployments",
            "at",
            frozenset({"tenant", "endpoint", "model", "model_version", "action", "target"}),
        ),
        Source(
            "api_calls",
            "api_calls",
            "at",
            frozenset({"tenant", "service", "route", "method", "status", "tier"}),
        ),
    )
}

_FAILED = "state = 'failed'"
# A deployment sends an event when it starts and one when it ends; count the ends.
_FINISHED_DEPLOY = "action = 'deploy' AND state <> 'started'"
_FINISHED_ROLLBACK = "action = 'rollback' AND state <> 'started'"


def _both(expression: str) -> dict[str, str]:
    """The same expression over runs and task runs: runs first, task runs for node types."""
    return {"runs": expression, "task_runs": expression}


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("runs", "Runs", "runs", _both("count(*)")),
        Metric(
            "failures", "Failed runs", "runs", _both(f"count(*) FILTER (WHERE {_FAILED})"), False
        ),
        Metric(
            "failure_rate",
            "Failure rate",
            "ratio",
            _both(f"avg(CASE WHEN {_FAILED} THEN 1.0 ELSE 0.0 END)"),
            False,
        ),
        Metric(
            "success_rate",
            "Success rate",
            "ratio",
            _both("avg(CASE WHEN state = 'success' THEN 1.0 ELSE 0.0 END)"),
        ),
        Metric("duration", "Average duration", "s", _both("avg(duration_s)"), False),
        Metric(
            "duration_p50",
            "Median duration",
            "s",
            _both("quantile_cont(duration_s, 0.5)"),
            False,
        ),
        Metric(
            "duration_p95",
            "95th percentile duration",
            "s",
            _both("quantile_cont(duration_s, 0.95)"),
            False,
        ),
        Metric(
            "cost",
            "Cost",
            "USD",
            {"ledger": "sum(cost_usd)", "task_runs": "sum(cost_usd)"},
            False,
        ),
        Metric("cost_per_run", "Cost per run", "USD", {"runs": "avg(cost_usd)"}, False),
        Metric(
            "cost_per_prediction",
            "Cost per prediction",
            "USD",
            {"invocations": "sum(cost_usd) / nullif(sum(predictions), 0)"},
            False,
        ),
        Metric("value", "Value", "USD", {"ledger": "sum(value_usd)"}),
        Metric(
            "roi",
            "ROI",
            "ratio",
            {"ledger": "(sum(value_usd) - sum(cost_usd)) / nullif(sum(cost_usd), 0)"},
        ),
        Metric("predictions", "Predictions", "rows", {"invocations": "sum(predictions)"}),
        Metric("invocations", "Endpoint requests", "requests", {"invocations": "count(*)"}),
        Metric(
            "invocation_errors",
            "Failed endpoint requests",
            "requests",
            {"invocations": "count(*) FILTER (WHERE NOT ok)"},
            False,
        ),
        Metric(
            "error_rate",
            "Endpoint error rate",
            "ratio",
            {"invocations": "avg(CASE WHEN ok THEN 0.0 ELSE 1.0 END)"},
            False,
        ),
        Metric("latency_avg", "Average latency", "ms", {"invocations": "avg(latency_ms)"}, False),
        Metric(
            "latency_p50",
            "Median latency",
            "ms",
            {"invocations": "quantile_cont(latency_ms, 0.5)"},
            False,
        ),
        Metric(
            "latency_p95",
            "95th percentile latency",
            "ms",
            {"invocations": "quantile_cont(latency_ms, 0.95)"},
            False,
        ),
        Metric(
            "latency_p99",
            "99th percentile latency",
            "ms",
            {"invocations": "quantile_cont(latency_ms, 0.99)"},
            False,
        ),
        Metric("api_calls", "API calls", "calls", {"api_calls": "count(*)"}),
        Metric(
            "rate_limited",
            "Rate-limited API calls (429)",
            "calls",
            {"api_calls": "count(*) FILTER (WHERE rate_limited)"},
            False,
        ),
        Metric(
            "rate_limited_share",
            "Share of API calls rate-limited",
            "ratio",
            {"api_calls": "avg(CASE WHEN rate_limited THEN 1.0 ELSE 0.0 END)"},
            False,
        ),
        Metric(
            "deployments",
            "Deployments",
            "deployments",
            {"deployments": f"count(*) FILTER (WHERE {_FINISHED_DEPLOY})"},
        ),
        Metric(
            "failed_deployments",
            "Failed deployments",
            "deployments",
            {"deployments": f"count(*) FILTER (WHERE {_FINISHED_DEPLOY} AND state = 'failed')"},
            False,
        ),
        Metric(
            "rollbacks",
            "Rollbacks",
            "rollbacks",
            {"deployments": f"count(*) FILTER (WHERE {_FINISHED_ROLLBACK})"},
            False,
        ),
    )
}

DIMENSIONS: dict[str, Dimension] = {
    dimension.name: dimension
    for dimension in (
        Dimension("workflow", "workflow", "workflows"),
        Dimension("workflow_version", "workflow version", "workflow versions"),
        Dimension("dag_id", "DAG", "DAGs"),
        Dimension("run_type", "run type", "run types"),
        Dimension("task_id", "task", "tasks"),
        Dimension("node_type", "node type", "node types"),
        Dimension("state", "state", "states"),
        Dimension("model", "model", "models"),
        Dimension("model_version", "model version", "model versions"),
        Dimension("endpoint", "endpoint", "endpoints"),
        Dimension("action", "deployment action", "deployment actions"),
        Dimension("target", "serving target", "serving targets"),
        Dimension("service", "service", "services"),
        Dimension("route", "route", "routes"),
        Dimension("method", "HTTP method", "HTTP methods"),
        Dimension("status", "HTTP status", "HTTP statuses"),
        Dimension("tier", "tier", "tiers"),
        Dimension("tenant", "tenant", "tenants"),
    )
}

# Time grains: a dimension over time, named after date_trunc's parts.
GRAINS: tuple[str, ...] = ("day", "week", "month")


def source_for(metrics: list[str], columns: set[str]) -> Source | None:
    """The first source that computes every metric and has every column, or None."""
    candidates = METRICS[metrics[0]].expressions
    for name in candidates:
        if all(name in METRICS[m].expressions for m in metrics) and columns <= (
            SOURCES[name].dimensions
        ):
            return SOURCES[name]
    return None


def dimensions_of(metric: str) -> set[str]:
    """Every dimension some source of this metric can group or filter by."""
    return set().union(*(SOURCES[s].dimensions for s in METRICS[metric].expressions))
