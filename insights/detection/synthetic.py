"""A synthetic activity history with planted anomalies, to measure the detectors.

Weeks of runs, invocations, deployments and API calls for several workflows, endpoints and
tiers of one tenant, with the noise real activity has (run durations vary log-normally, load
drifts from week to week, a few runs fail, endpoints are redeployed without any change), and
anomalies planted in known weeks: what kind, which subject, which week. The tables have
exactly the read model's columns (docs/insights.md), so the detectors run on them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

# The read model's views and columns (docs/insights.md); a test checks them against the page.
COLUMNS: dict[str, tuple[str, ...]] = {
    "runs": (
        "tenant", "workflow", "workflow_version", "dag_id", "run_id", "run_type", "state",
        "started_at", "ended_at", "duration_s", "cost_usd", "value_usd",
    ),
    "task_runs": (
        "tenant", "workflow", "dag_id", "run_id", "task_id", "node_type", "state",
        "try_number", "started_at", "ended_at", "duration_s", "cost_usd",
    ),
    "invocations": (
        "tenant", "endpoint", "model", "model_version", "at", "predictions", "latency_ms",
        "ok", "cost_usd", "value_usd",
    ),
    "deployments": (
        "tenant", "endpoint", "model", "model_version", "action", "state", "target", "at",
    ),
    "api_calls": (
        "tenant", "service", "route", "method", "status", "tier", "rate_limited", "at",
    ),
}  # fmt: skip
WORKFLOW_KINDS = ("cost_jump", "duration_jump", "failure_spike")
ENDPOINT_KINDS = ("latency_regression", "idle_endpoint")
TIER_KINDS = ("rate_limit_pressure",)
TIERS = ("free", "starter", "pro", "team", "enterprise")
ROUTES = ("/api/v1/models", "/api/v1/models/{name}", "/api/v1/endpoints/{name}/predict")
SERVING_USD_PER_HOUR = 0.5
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Planted:
    """An anomaly put in the history: the detectors run at ``week_end`` should report it."""

    kind: str
    subject: str
    week_end: datetime


@dataclass
class History:
    """One tenant's generated activity, its anomalies and the weeks to evaluate."""

    tenant: str
    tables: dict[str, pa.Table]
    planted: list[Planted]
    workflows: list[str]
    endpoints: list[str]
    tiers: list[str]
    evaluated: list[datetime] = field(default_factory=list)  # the Mondays detectors run at


def generate(
    seed: int,
    *,
    tenant: str = "acme",
    weeks: int = 14,
    evaluated_weeks: int = 4,
    workflows: int = 16,
    endpoints: int = 8,
    end: datetime = datetime(2026, 11, 30, tzinfo=UTC),
    plant: bool = True,
    prefix: str = "",
) -> History:
    """A history of ``weeks`` weeks ending at ``end`` (a Monday, excluded).

    With ``plant``, each of the last ``evaluated_weeks`` weeks gets anomalies on subjects
    chosen at random (one per subject and week at most); without it the series are clean.
    """
    rng = np.random.default_rng(seed)
    start = end - timedelta(weeks=weeks)
    evaluated = [end - timedelta(weeks=k) for k in range(evaluated_weeks - 1, -1, -1)]
    workflow_names = [f"{prefix}wf{i:02d}" for i in range(workflows)]
    endpoint_names = [f"{prefix}ep{i:02d}" for i in range(endpoints)]
    tier_names = list(TIERS)
    planted = _plan(rng, plant, evaluated, workflow_names, endpoint_names, tier_names)
    by_subject = {(p.subject, p.week_end): p.kind for p in planted}
    runs = _runs(rng, tenant, workflow_names, start, weeks, by_subject)
    invocations, deployments = _serving(rng, tenant, endpoint_names, start, end, by_subject)
    calls = _api_calls(rng, tenant, tier_names, start, weeks, by_subject)
    tables = {
        "runs": runs,
        "task_runs": table("task_runs", {}),
        "invocations": invocations,
        "deployments": deployments,
        "api_calls": calls,
    }
    return History(tenant, tables, planted, workflow_names, endpoint_names, tier_names, evaluated)


def _plan(rng, plant, evaluated, workflows, endpoints, tiers) -> list[Planted]:
    if not plant:
        return []
    planted: list[Planted] = []
    used: set[str] = set()

    def pick(names: list[str], count: int) -> list[str]:
        free = [n for n in names if n not in used]
        chosen = list(rng.choice(free, size=min(count, len(free)), replace=False))
        used.update(chosen)
        return [str(c) for c in chosen]

    for week_end in evaluated:
        # A subject carries at most one anomaly in the whole history, so the weeks after it
        # stay comparable and each finding has one explanation.
        for kind in WORKFLOW_KINDS:
            planted += [Planted(kind, s, week_end) for s in pick(workflows, 1)]
        planted += [Planted("latency_regression", s, week_end) for s in pick(endpoints, 1)]
        if rng.random() < 0.5:
            planted += [Planted("rate_limit_pressure", s, week_end) for s in pick(tiers, 1)]
    # An endpoint going quiet shows only once it has been quiet a while: the last week only.
    planted += [Planted("idle_endpoint", s, evaluated[-1]) for s in pick(endpoints, 1)]
    return planted


def _runs(rng, tenant, workflows, start, weeks, planted) -> pa.Table:
    rows: dict[str, list] = {c: [] for c in COLUMNS["runs"]}
    for workflow in workflows:
        per_day = int(rng.choice([1, 2, 3, 4, 6]))
        median_s = float(rng.uniform(300, 3600))
        sigma = float(rng.uniform(0.12, 0.3))
        usd_per_hour = float(rng.uniform(4, 20))
        failure_p = float(rng.uniform(0.0, 0.06))
        for week in range(weeks):
            week_start = start + timedelta(weeks=week)
            kind = planted.get((workflow, week_start + timedelta(weeks=1)))
            load = float(rng.lognormal(0, 0.05))  # inputs grow and shrink a little
            count = per_day * 7
            duration_factor, failures = load, failure_p
            if kind == "cost_jump":  # a backfill: two to three times the runs, same length
                count = int(count * rng.uniform(2.0, 3.0))
            elif kind == "duration_jump":
                duration_factor *= float(rng.uniform(1.7, 2.5))
            elif kind == "failure_spike":
                failures = float(rng.uniform(0.4, 0.6))
            offsets = np.sort(rng.uniform(0, 7 * 86400 - 1, size=count))
            durations = median_s * duration_factor * rng.lognormal(0, sigma, size=count)
            failed = rng.random(count) < failures
            # A failed run stops part way and costs only the time it ran.
            durations = np.where(failed, durations * rng.uniform(0.1, 0.9, size=count), durations)
            for n, (offset, duration, fail) in enumerate(
                zip(offsets, durations, failed, strict=True)
            ):
                ended = week_start + timedelta(seconds=float(offset))
                rows["tenant"].append(tenant)
                rows["workflow"].append(workflow)
                rows["workflow_version"].append(1)
                rows["dag_id"].append(workflow)
                rows["run_id"].append(f"{workflow}-{week}-{n}")
                rows["run_type"].append("scheduled")
                rows["state"].append("failed" if fail else "success")
                rows["started_at"].append(ended - timedelta(seconds=float(duration)))
                rows["ended_at"].append(ended)
                rows["duration_s"].append(float(duration))
                rows["cost_usd"].append(float(duration) / 3600 * usd_per_hour)
                rows["value_usd"].append(0.0 if fail else 10.0)
    return table("runs", rows)


def _serving(rng, tenant, endpoints, start, end, planted) -> tuple[pa.Table, pa.Table]:
    calls: dict[str, list] = {c: [] for c in COLUMNS["invocations"]}  # arrays per endpoint
    deploys: dict[str, list] = {c: [] for c in COLUMNS["deployments"]}
    days = (end - start).days
    for endpoint in endpoints:
        model = f"{endpoint}-model"
        per_day = int(rng.integers(150, 500))
        median_ms = float(rng.uniform(30, 200))
        sigma = float(rng.uniform(0.25, 0.45))
        regression = next(
            (w for (s, w), k in planted.items() if s == endpoint and k == "latency_regression"),
            None,
        )
        idle = next(
            (w for (s, w), k in planted.items() if s == endpoint and k == "idle_endpoint"), None
        )
        quiet_from = None
        if idle is not None:  # nobody calls it, and nobody redeploys it, from then on
            quiet_from = idle - timedelta(days=float(rng.uniform(9, 13)))
        # Redeployed every 10 to 20 days without any change in latency, and, if planted, once
        # more early in the week of the regression with a slower version.
        moments = []
        moment = start + timedelta(days=float(rng.uniform(2, 10)))
        while moment < min(end - DAY, quiet_from or end):
            moments.append((moment, 1.0))
            moment += timedelta(days=float(rng.uniform(10, 20)))
        if regression is not None:
            week_start = regression - timedelta(weeks=1)
            slower = week_start + timedelta(days=float(rng.uniform(0.5, 3.5)))
            moments = [m for m in moments if abs((m[0] - slower).days) > 7]
            moments.append((slower, float(rng.uniform(1.6, 2.5))))
        moments.sort()
        for version, (moment, _) in enumerate(moments, start=2):
            for state, delay in (("started", 0), ("ready", 300)):
                deploys["tenant"].append(tenant)
                deploys["endpoint"].append(endpoint)
                deploys["model"].append(model)
                deploys["model_version"].append(str(version))
                deploys["action"].append("deploy")
                deploys["state"].append(state)
                deploys["target"].append("local")
                deploys["at"].append(moment + timedelta(seconds=delay))
        weekend = np.array([(start + d * DAY).weekday() >= 5 for d in range(days)])
        counts = rng.poisson(per_day * np.where(weekend, 0.7, 1.0))
        seconds = np.sort(
            np.repeat(np.arange(days) * 86400.0, counts) + rng.uniform(0, 86399, size=counts.sum())
        )
        if quiet_from is not None:
            seconds = seconds[seconds < (quiet_from - start).total_seconds()]
        # Which version served each request: the last one ready before it.
        ready = np.array([(m - start).total_seconds() + 300 for m, _ in moments])
        serving = np.searchsorted(ready, seconds, side="right")  # 0: the first version
        factors = np.concatenate([[1.0], [slow for _, slow in moments]])[serving]
        latency = median_ms * rng.lognormal(0, sigma, size=seconds.size) * factors
        n = seconds.size
        calls["tenant"].append(np.full(n, tenant))
        calls["endpoint"].append(np.full(n, endpoint))
        calls["model"].append(np.full(n, model))
        calls["model_version"].append((serving + 1).astype(str))
        calls["at"].append(_instants(start, seconds))
        calls["predictions"].append(np.ones(n, dtype=np.int64))
        calls["latency_ms"].append(latency)
        calls["ok"].append(np.ones(n, dtype=bool))
        calls["cost_usd"].append(latency / 3_600_000 * SERVING_USD_PER_HOUR)
        calls["value_usd"].append(np.full(n, 0.01))
    calls = {c: np.concatenate(parts) if parts else [] for c, parts in calls.items()}
    return table("invocations", calls), table("deployments", deploys)


def _api_calls(rng, tenant, tiers, start, weeks, planted) -> pa.Table:
    rows: dict[str, list] = {c: [] for c in COLUMNS["api_calls"]}
    for tier in tiers:
        per_week = int(rng.integers(400, 1500))
        limited_p = float(rng.uniform(0.0, 0.02))  # the limit refuses the odd burst
        for week in range(weeks):
            week_start = start + timedelta(weeks=week)
            share = limited_p
            if planted.get((tier, week_start + timedelta(weeks=1))) == "rate_limit_pressure":
                share = float(rng.uniform(0.08, 0.2))
            count = int(rng.poisson(per_week))
            refused = rng.random(count) < share
            offset = (week_start - start).total_seconds()
            rows["tenant"].append(np.full(count, tenant))
            rows["service"].append(np.full(count, "marketplace"))
            rows["route"].append(rng.choice(ROUTES, size=count))
            rows["method"].append(np.full(count, "GET"))
            rows["status"].append(np.where(refused, 429, 200))
            rows["tier"].append(np.full(count, tier))
            rows["rate_limited"].append(refused)
            rows["at"].append(_instants(start, offset + rng.uniform(0, 7 * 86400 - 1, count)))
    rows = {c: np.concatenate(parts) for c, parts in rows.items()}
    return table("api_calls", rows)


_TYPES = {
    "workflow_version": pa.int64(),
    "try_number": pa.int64(),
    "status": pa.int64(),
    "predictions": pa.int64(),
    "duration_s": pa.float64(),
    "cost_usd": pa.float64(),
    "value_usd": pa.float64(),
    "latency_ms": pa.float64(),
    "ok": pa.bool_(),
    "rate_limited": pa.bool_(),
    "started_at": pa.timestamp("us", tz="UTC"),
    "ended_at": pa.timestamp("us", tz="UTC"),
    "at": pa.timestamp("us", tz="UTC"),
}


def _instants(start: datetime, seconds: np.ndarray) -> np.ndarray:
    """``start`` plus each number of seconds, as UTC microsecond timestamps."""
    origin = np.datetime64(start.replace(tzinfo=None), "us")
    return origin + (seconds * 1e6).astype("timedelta64[us]")


def table(view: str, rows: dict[str, list]) -> pa.Table:
    """One view's rows as an Arrow table with the contract's columns, in order."""
    return pa.table(
        {
            column: pa.array(rows.get(column, []), _TYPES.get(column, pa.string()))
            for column in COLUMNS[view]
        }
    )


def load(connection, histories: list[History]) -> None:
    """Create the read model's views as tables holding every history's rows (all tenants)."""
    for view in COLUMNS:
        combined = pa.concat_tables([h.tables[view] for h in histories])
        connection.register("_synthetic", combined)
        connection.execute(f"CREATE OR REPLACE TABLE {view} AS SELECT * FROM _synthetic")
        connection.unregister("_synthetic")
