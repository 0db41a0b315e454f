"""Dashboard queries over a year of activity for 100 workflows: the insights read model (DuckDB
over the landed Parquet) against the same figures computed with pandas (goal: at least 5x
faster, p95 under 200 ms).

    .venv/bin/python bench/insights_query.py [--workflows 100] [--days 365] [--repeat 15]

A tenant's year is generated and landed in a temporary lake in the consumer's layout: a daily
run of each workflow (5 % fail) with four tasks of mixed node types, and 20 endpoints serving
150 requests a day each. Each dashboard request is timed as the service serves it: a read-model
connection opened over the tenant's facts as the service keeps them (events held in memory,
priced once as they landed), then one figure. The baseline gets the same events as pandas
DataFrames already in memory, and works out the same figures the views do (the run's finished
event, its tasks' costs at the rates, values per run and per prediction); each pair of answers
is checked equal before anything is timed. Pricing the year once, and bringing the facts up to
date after another day lands, are timed and printed too: that is the work moved out of requests.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from airloom.datasets import write_table
from insights.activity.landing import activity_folder
from insights.readmodel import figures
from insights.readmodel.lake import stored_schema
from insights.readmodel.rates import DEFAULT, load_rates
from insights.readmodel.views import ReadModel, Values

TENANT = "bench"
NODE_TYPES = ("kafka_ingest", "spark_transform", "quality_check", "train")
ENDPOINTS = 20
REQUESTS_PER_DAY = 150
END = datetime(2026, 12, 1, tzinfo=UTC)


def iso(values: np.ndarray) -> pa.Array:
    """Epoch seconds as the ISO 8601 text producers send."""
    stamps = pd.to_datetime(values, unit="s", utc=True)
    return pa.array(stamps.strftime("%Y-%m-%dT%H:%M:%S+00:00"))


def land(activity: str, kind: str, columns: dict[str, object], batch: str) -> None:
    rows = len(next(iter(columns.values())))
    schema = stored_schema()
    table = {f.name: pa.nulls(rows, f.type) for f in schema}
    for name, values in columns.items():
        table[name] = pa.array(values, schema.field(name).type)
    table["event_id"] = pa.array([uuid.uuid4().hex for _ in range(rows)])
    table["kind"] = pa.array([kind] * rows)
    table["_kafka_partition"] = pa.array(np.zeros(rows, dtype=np.int32))
    table["_kafka_offset"] = pa.array(np.arange(rows, dtype=np.int64))
    table["ingest_date"] = pa.array([END.date().isoformat()] * rows)
    write_table(
        pa.table(table),
        activity_folder(activity, kind, TENANT),
        f"kafka-{batch}-{kind}",
        partition_by="ingest_date",
        replace=False,
    )


def generate(
    activity: str, workflows: int, days: int, rng: np.random.Generator, batch: str = "year"
) -> None:
    start = (END - timedelta(days=days)).timestamp()
    runs = workflows * days
    workflow = np.repeat([f"wf_{i:03d}" for i in range(workflows)], days)
    began = start + np.tile(np.arange(days) * 86400.0, workflows) + rng.uniform(0, 3600, runs)
    tasks = len(NODE_TYPES)
    task_seconds = rng.gamma(4.0, 60.0, (runs, tasks))
    ended = began + task_seconds.sum(axis=1)
    state = np.where(rng.random(runs) < 0.05, "failed", "success")
    run_id = [f"scheduled__{batch}_{i}" for i in range(runs)]
    common = {"dag_id": workflow, "run_id": run_id, "workflow": workflow}
    land(activity, "dag_run", {
        **{k: np.concatenate([v, v]) for k, v in common.items()},
        "at": pa.concat_arrays([iso(began), iso(ended)]),
        "state": np.concatenate([np.full(runs, "running"), state]),
        "started_at": pa.concat_arrays([iso(began), iso(began)]),
        "ended_at": pa.concat_arrays([pa.nulls(runs, pa.string()), iso(ended)]),
        "duration_s": np.concatenate([np.full(runs, np.nan), ended - began]),
    }, batch)  # fmt: skip
    offsets = np.cumsum(task_seconds, axis=1) - task_seconds
    land(activity, "task_run", {
        **{k: np.repeat(v, tasks) for k, v in common.items()},
        "task_id": np.tile(list(NODE_TYPES), runs),
        "node_type": np.tile(list(NODE_TYPES), runs),
        "state": np.repeat(state, tasks),
        "at": iso((began[:, None] + offsets + task_seconds).ravel()),
        "duration_s": task_seconds.ravel(),
    }, batch)  # fmt: skip
    requests = ENDPOINTS * REQUESTS_PER_DAY * days
    land(activity, "invocation", {
        "endpoint": np.array([f"endpoint-{i:02d}" for i in range(ENDPOINTS)])[
            rng.integers(0, ENDPOINTS, requests)],
        "model": np.full(requests, "churn"),
        "at": iso(start + rng.uniform(0, days * 86400.0, requests)),
        "predictions": rng.integers(1, 50, requests),
        "latency_ms": rng.gamma(2.0, 15.0, requests),
        "ok": rng.random(requests) > 0.01,
        "target": np.full(requests, "local"),
    }, batch)  # fmt: skip


class PandasFigures:
    """The views' figures worked out with pandas, from the same events in memory."""

    def __init__(self, model: ReadModel, values: Values) -> None:
        frame = {k: model.activity.events(k, TENANT).to_pandas() for k in ("dag_run", "task_run")}
        self.dag_runs, self.task_runs = frame["dag_run"], frame["task_run"]
        self.invocations = model.activity.events("invocation", TENANT).to_pandas()
        self.task_rates = model.rates.task_hourly()
        self.serving_rates = model.rates.serving_hourly()
        self.values = values

    def runs(self) -> pd.DataFrame:
        finished = self.dag_runs[self.dag_runs["state"].isin(("success", "failed"))].copy()
        finished["at_ts"] = pd.to_datetime(finished["at"], utc=True)
        finished = finished.sort_values("at_ts").drop_duplicates(["dag_id", "run_id"], keep="last")
        tasks = self.task_runs
        rate = tasks["node_type"].map(self.task_rates).fillna(self.task_rates[DEFAULT])
        cost = (
            (tasks["duration_s"].fillna(0) / 3600 * rate)
            .groupby([tasks["dag_id"], tasks["run_id"]])
            .sum()
        )
        finished = finished.join(cost.rename("cost_usd"), on=["dag_id", "run_id"])
        per_run = finished["workflow"].fillna(finished["dag_id"]).map(self.values.per_run)
        finished["value_usd"] = np.where(finished["state"] == "success", per_run.fillna(0), 0)
        finished["at"] = pd.to_datetime(finished["ended_at"], utc=True)
        finished["key"] = finished["workflow"].fillna(finished["dag_id"])
        finished["failures"] = (finished["state"] == "failed").astype(int)
        finished["runs"], finished["predictions"] = 1, 0
        return finished

    def serving(self) -> pd.DataFrame:
        calls = self.invocations.copy()
        rate = calls["target"].map(self.serving_rates).fillna(self.serving_rates[DEFAULT])
        calls["cost_usd"] = calls["latency_ms"].fillna(0) / 3_600_000 * rate
        ok = calls["ok"].fillna(False).astype(bool)
        predictions = calls["predictions"].fillna(0)
        per_prediction = calls["endpoint"].map(self.values.per_prediction).fillna(0)
        calls["value_usd"] = np.where(ok, predictions * per_prediction, 0.0)
        calls["predictions"] = np.where(ok, predictions, 0)
        calls["at"] = pd.to_datetime(calls["at"], utc=True)
        calls["key"], calls["runs"], calls["failures"] = calls["endpoint"], 0, 0
        return calls

    def facts(self, by: str) -> pd.DataFrame:
        columns = ["key", "at", "runs", "failures", "predictions", "cost_usd", "value_usd"]
        if by == "workflow":
            return self.runs()[columns]
        if by == "endpoint":
            return self.serving()[columns]
        both = pd.concat([self.runs()[columns], self.serving()[columns]])
        return both.assign(key=TENANT)

    def kpis(self, since: datetime, until: datetime) -> tuple:
        facts = self.facts("tenant")
        facts = facts[(facts["at"] >= since) & (facts["at"] < until)]
        totals = facts[["runs", "failures", "predictions", "cost_usd", "value_usd"]].sum()
        return tuple(totals)

    def roi(self, by: str, grain: str, since: datetime, until: datetime) -> list[tuple]:
        facts = self.facts(by)
        facts = facts[(facts["at"] >= since) & (facts["at"] < until)]
        local = facts["at"].dt.tz_localize(None)
        period = {"day": local.dt.floor("D"), "week": local.dt.to_period("W-SUN").dt.start_time,
                  "month": local.dt.to_period("M").dt.start_time}[grain]  # fmt: skip
        sums = facts.groupby([facts["key"], period.rename("period")])[
            ["runs", "failures", "predictions", "cost_usd", "value_usd"]
        ].sum()
        rows = [
            (key, period.to_pydatetime().replace(tzinfo=UTC), *row)
            for (key, period), row in zip(sums.index, sums.itertuples(index=False), strict=True)
        ]
        return sorted(rows, key=lambda row: (row[1], row[0]))


def same(a: list[tuple], b: list[tuple]) -> bool:
    """Same keys and periods in the same order, and the same figures."""
    return len(a) == len(b) and all(
        x[:2] == y[:2] and np.allclose(x[2:], y[2:], rtol=1e-9) for x, y in zip(a, b, strict=True)
    )


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def p95(seconds: list[float]) -> float:
    return sorted(seconds)[max(0, round(0.95 * len(seconds)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="airloom-bench-insights-") as folder:
        activity = f"{folder}/_airloom/activity"
        generate(activity, args.workflows, args.days, np.random.default_rng(7))
        model = ReadModel(activity, load_rates("local"))
        values = Values(
            per_run={f"wf_{i:03d}": 2.0 + i % 7 for i in range(args.workflows)},
            per_prediction={f"endpoint-{i:02d}": 0.001 for i in range(ENDPOINTS)},
        )
        for kind in ("dag_run", "task_run", "invocation"):  # as a warm service holds them
            rows = model.activity.events(kind, TENANT).num_rows
            print(f"{kind}: {rows:,} events")
        started = time.perf_counter()
        model.facts.facts(TENANT)
        print(f"pricing the year once: {(time.perf_counter() - started) * 1e3:,.0f} ms")
        generate(activity, args.workflows, 1, np.random.default_rng(8), "day")  # another day lands
        started = time.perf_counter()
        model.facts.facts(TENANT)
        print(f"a new day read and priced: {(time.perf_counter() - started) * 1e3:,.0f} ms")
        baseline = PandasFigures(model, values)
        # Millions of long-lived objects (pandas' text columns) would otherwise be walked by
        # every full garbage collection, whichever side of the comparison set it off.
        gc.freeze()

        year, quarter, month = (END - timedelta(days=days) for days in (365, 90, 30))
        queries: dict[str, tuple[Callable, Callable]] = {
            "KPIs, last 30 days": (
                lambda c: (figures.kpis(c, month, END),),
                lambda: (baseline.kpis(month, END),)),
            "ROI by workflow per week, a year": (
                lambda c: figures.roi(c, "workflow", "week", year, END),
                lambda: baseline.roi("workflow", "week", year, END)),
            "ROI by endpoint per day, 90 days": (
                lambda c: figures.roi(c, "endpoint", "day", quarter, END),
                lambda: baseline.roi("endpoint", "day", quarter, END)),
            "ROI of the tenant per month, a year": (
                lambda c: figures.roi(c, "tenant", "month", year, END),
                lambda: baseline.roi("tenant", "month", year, END)),
        }  # fmt: skip

        def dashboard(query: Callable) -> object:
            with model.connect(TENANT, values) as connection:
                return query(connection)

        def rows(answer: object) -> list[tuple]:
            return [
                (r.key, r.period_start.astimezone(UTC), r.figures.runs, r.figures.failures,
                 r.figures.predictions, r.figures.cost_usd, r.figures.value_usd)
                if isinstance(r, figures.RoiRow)
                else (TENANT, None, r.runs, r.failures, r.predictions, r.cost_usd, r.value_usd)
                for r in answer
            ]  # fmt: skip

        def pandas_rows(answer: object) -> list[tuple]:
            return [r if isinstance(r[0], str) else (TENANT, None, *r) for r in answer]

        header = f"{'dashboard query':<38} {'DuckDB p50/p95 ms':>18} {'pandas p50/p95 ms':>18}"
        print(f"\n{header} ratio")
        ratios, worst_p95 = [], 0.0
        for name, (duck, panda) in queries.items():
            if not same(rows(dashboard(duck)), pandas_rows(panda())):
                raise SystemExit(f"{name}: the read model and pandas disagree")
            fast = timed(lambda duck=duck: dashboard(duck), args.repeat)
            slow = timed(panda, max(3, args.repeat // 3))
            ratio = statistics.median(slow) / statistics.median(fast)
            ratios.append(ratio)
            worst_p95 = max(worst_p95, p95(fast))
            print(
                f"{name:<38} {statistics.median(fast) * 1e3:>8.1f}/{p95(fast) * 1e3:<9.1f}"
                f" {statistics.median(slow) * 1e3:>8.1f}/{p95(slow) * 1e3:<9.1f} {ratio:5.1f}x"
            )
        print(
            f"\nread model vs pandas: {min(ratios):.1f}x to {max(ratios):.1f}x faster "
            f"(goal >= 5x); worst dashboard p95 {worst_p95 * 1e3:.0f} ms (goal < 200 ms)"
        )


if __name__ == "__main__":
    main()
