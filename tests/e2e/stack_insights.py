"""The insights service on the local stack as one tenant reads it, and what its figures should
be when worked out by hand: the stack tests that check ROI follows real runs, deployments and
predictions, and the screenshot script, share these.

A run's cost by hand is independent of the activity events: each try's duration comes from
Airflow's own REST API v2 (``…/taskInstances/{task}/tries``), each node type's hourly price from
the rates file itself (docs/insights.md, "Costs and rates").
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from insights.readmodel.rates import DEFAULT, load_rates
from tests.harness.stack import LocalStack, Login

# The contract says an event is queryable about a second after it is sent; a loaded two-core
# machine running the whole stack is given this long before a figure counts as missing.
FIGURES_SECONDS = 30.0
# Airflow's API and the listener time a try from different moments, never the other way round:
# Airflow from when the task's supervisor asked the API server to start it, the listener (in
# the task's process) from the server's answer, seconds later on a loaded machine (7 s seen);
# a failed try Airflow ends once its process has exited, the listener as it failed (3 s seen
# after a Spark task). A successful try ends at the same moment in both.
START_AND_EXIT_SECONDS = 15.0
ROUNDING_SECONDS = 0.01  # the listener keeps milliseconds


def insights_api_token(stack: LocalStack, tenant: str, role: str = "viewer") -> str:
    """A new insights API token for ``tenant``, made with the service's own CLI on the stack's
    database, as an operator would make one for a tenant `up` never heard of."""
    database = f"sqlite:///{stack.home / 'insights' / 'insights.db'}"
    created = subprocess.run(
        [sys.executable, "-m", "insights.cli", "create-token", "--tenant", tenant, "--role", role],
        env={**stack.env, "AIRLOOM_INSIGHTS_DATABASE_URL": database},
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


def signed_in_token(stack: LocalStack, login: Login) -> str:
    """A Studio user's sign-in token from the builder, which the insights service accepts."""
    signed_in = httpx.post(
        stack.url("AIRLOOM_BUILDER_PORT", "/auth/login"),
        json={"username": login.username, "password": login.password},
        timeout=60,
    )
    assert signed_in.status_code == 200, signed_in.text
    return signed_in.json()["access_token"]


@dataclass(frozen=True)
class KeyFigures:
    """One ROI key's figures summed over the periods of a window."""

    runs: int = 0
    failures: int = 0
    predictions: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class Insights:
    """The stack's insights REST API with one tenant's bearer token."""

    stack: LocalStack
    token: str

    def _call(self, method: str, path: str, **options: Any) -> Any:
        response = httpx.request(
            method,
            self.stack.url("AIRLOOM_INSIGHTS_PORT", f"/api/v1{path}"),
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=60,
            **options,
        )
        said = f"{method} {path} → {response.status_code}: {response.text}"
        assert response.status_code == 200, said
        return response.json()

    def roi(self, by: str, since: datetime, until: datetime) -> dict[str, KeyFigures]:
        """``GET /roi?by=…`` for ``[since, until)``: each key's figures over the window."""
        params = {"by": by, "grain": "day", "since": since.isoformat(), "until": until.isoformat()}
        found: dict[str, KeyFigures] = {}
        for row in self._call("GET", "/roi", params=params)["rows"]:
            before = found.get(row["key"], KeyFigures())
            found[row["key"]] = KeyFigures(
                runs=before.runs + row["runs"],
                failures=before.failures + row["failures"],
                predictions=before.predictions + row["predictions"],
                cost_usd=before.cost_usd + row["cost_usd"],
            )
        return found

    def ask(self, question: str) -> dict[str, Any]:
        return self._call("POST", "/questions", json={"question": question})

    def query(self, query: Mapping[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/questions", json={"query": dict(query)})

    def wait_for_roi(
        self,
        by: str,
        key: str,
        since: datetime,
        done: Callable[[KeyFigures], bool],
        timeout: float = FIGURES_SECONDS,
        expected: object = "",
    ) -> tuple[KeyFigures, datetime]:
        """``key``'s figures once ``done`` holds (polled), and when they were first seen;
        ``expected`` (or what it returns, if callable) is said beside the last figures when
        they never do."""
        deadline = time.monotonic() + timeout
        while True:
            seen = datetime.now(UTC)
            figures = self.roi(by, since, seen + timedelta(seconds=1)).get(key, KeyFigures())
            if done(figures):
                return figures, seen
            if time.monotonic() > deadline:
                said = expected() if callable(expected) else expected
                raise AssertionError(
                    f"ROI by {by} of {key!r} after {timeout} s: {figures}; expected {said}"
                )
            time.sleep(0.5)


def eventually(
    what: str,
    read: Callable[[], Any],
    done: Callable[[Any], bool],
    timeout: float = FIGURES_SECONDS,
) -> Any:
    """``read()`` again until ``done`` holds; fails naming ``what`` and the last answer."""
    deadline = time.monotonic() + timeout
    while not done(value := read()):
        assert time.monotonic() < deadline, f"{what} after {timeout} s: {value}"
        time.sleep(0.5)
    return value


def _tries(stack: LocalStack, dag_id: str, run_id: str, task_id: str) -> list[dict[str, Any]]:
    path = "/".join(
        quote(part, safe="") for part in ("dags", dag_id, "dagRuns", run_id, "taskInstances")
    )
    body = stack.airflow().request("GET", f"/{path}/{quote(task_id, safe='')}/tries")
    return body["task_instances"]


def airflow_tries(
    stack: LocalStack, dag_id: str, run_id: str, task_ids: Iterable[str]
) -> dict[tuple[str, int], float]:
    """(task id, try number) → seconds, for each try of the run's tasks that ran, as Airflow's
    REST API v2 says (a try that never ran, upstream failed or skipped, is not there)."""
    took = {}
    for task_id in task_ids:
        for attempt in _tries(stack, dag_id, run_id, task_id):
            if attempt.get("start_date") and attempt.get("end_date"):
                started = datetime.fromisoformat(attempt["start_date"])
                ended = datetime.fromisoformat(attempt["end_date"])
                took[task_id, attempt["try_number"]] = (ended - started).total_seconds()
    return took


def landed_task_runs(stack: LocalStack, tenant: str, dag_id: str, run_id: str) -> list[dict]:
    """The run's ``task_run`` events as the lake holds them for ``tenant``
    (``<lake root>/_airloom/activity/task_run/tenant=<tenant>/``), read with pyarrow."""
    import pyarrow.dataset as ds

    folder = stack.home / "lake" / "_airloom" / "activity" / "task_run" / f"tenant={tenant}"
    if not folder.is_dir():
        return []
    table = ds.dataset(str(folder), format="parquet", partitioning="hive").to_table()
    columns = ["task_id", "try_number", "state", "duration_s"]
    return [
        {column: row[column] for column in columns}
        for row in table.to_pylist()
        if (row["dag_id"], row["run_id"]) == (dag_id, run_id)
    ]


def priced_by_hand(task_runs: Iterable[Mapping[str, Any]], node_types: Mapping[str, str]) -> float:
    """The sum of each try's duration times the hourly price of its task's node type in the
    rates file itself (``node_types``: task id → the node type the test's design gave it)."""
    hourly = load_rates("local").task_hourly()
    return sum(
        row["duration_s"] / 3600 * hourly.get(node_types[row["task_id"]], hourly[DEFAULT])
        for row in task_runs
    )


def run_cost_by_hand(
    stack: LocalStack, tenant: str, dag_id: str, run_id: str, node_types: Mapping[str, str]
) -> float:
    """What the run should cost: one ``task_run`` event landed per try Airflow ran, each
    measuring what Airflow's API says the try took (give or take how the two clocks differ),
    priced by hand at the rates file's prices."""
    by_airflow = airflow_tries(stack, dag_id, run_id, node_types)
    landed = eventually(
        f"{dag_id} {run_id}: a task event per try ({sorted(by_airflow)}) in the lake",
        lambda: landed_task_runs(stack, tenant, dag_id, run_id),
        lambda rows: len(rows) >= len(by_airflow),
    )
    assert sorted((r["task_id"], r["try_number"]) for r in landed) == sorted(by_airflow), landed
    for row in landed:
        took = by_airflow[row["task_id"], row["try_number"]]
        measured = took - START_AND_EXIT_SECONDS <= row["duration_s"] <= took + ROUNDING_SECONDS
        assert measured, f"{row} against {took} s in Airflow's API"
    return priced_by_hand(landed, node_types)


def predict(stack: LocalStack, api_key: str, endpoint: str, payload: dict) -> tuple[int, float]:
    """One prediction request through the marketplace's relay: rows predicted, seconds taken
    as the client saw them (an upper bound of what serving spent on it)."""
    began = time.perf_counter()
    answer = httpx.post(
        stack.url("AIRLOOM_MARKETPLACE_PORT", f"/api/v1/endpoints/{endpoint}/invocations"),
        json=payload,
        headers={"X-API-Key": api_key},
        timeout=60,
    )
    seconds = time.perf_counter() - began
    assert answer.status_code == 200, answer.text
    return len(answer.json()["predictions"]), seconds


def serving_price_per_second(target: str = "local") -> float:
    hourly = load_rates("local").serving_hourly()
    return hourly.get(target, hourly[DEFAULT]) / 3600
