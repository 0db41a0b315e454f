"""Deployment through the marketplace against a bare `model_deployment` run, and the prediction
path's overhead over the serving process called directly.

Starts the local stack (`airloom up` on free loopback ports, a fresh state folder), registers a
small scikit-learn model in its MLflow, validates it once, then measures:

(a) deployment, rounds alternating, each to a new endpoint of the same version:
    - marketplace: ``POST …/deploy`` sent → its 202 (the request's own answer time), and →
      the first successful ``…/invocations`` through the marketplace (polled every 0.1 s);
    - baseline: ``POST /api/v2/dags/model_deployment/dagRuns`` with the conf the marketplace
      sends → the run seen ``success`` (polled every 0.25 s);
(b) predictions, one-row ``dataframe_split`` requests at concurrency 1 and 32, rounds
    alternating: through the marketplace (API key, tenant check, relay) against the serving
    process's own ``/endpoints/<name>/invocations`` (goal: the marketplace adds under 15 % at
    concurrency 32). The load generator is serving_throughput.py's.

Prints medians and the ratios to each baseline.

    .venv/bin/python bench/deploy_latency.py [--rounds 3] [--requests 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_UV_AUTO_DETECT", "false")

from bench._stack import local_stack
from bench.serving_throughput import FEATURES, drive, train_and_register
from servicekit.airflow_client import RestAirflowClient

MODEL = "bench-serving"  # what train_and_register registers
TENANT = "default"  # the tenant of the key `airloom up` prints
LEVELS = (1, 32)
GOAL = 0.15  # the marketplace may add at most this share at concurrency 32
BODY = json.dumps({"dataframe_split": {"columns": FEATURES, "data": [[12.0, 30.5, 2.0, 5.0]]}})


def stack() -> Any:
    """The local stack, rate limits out of the measurement's way (thousands of predictions
    from one key: the limiter still counts each one)."""
    limits = {"free": "30/minute", "pro": "300/minute", "enterprise": "10000000/minute"}
    return local_stack({"AIRLOOM_MARKETPLACE_RATE_LIMITS": json.dumps(limits)})


class Stack:
    def __init__(self, env: dict[str, str]) -> None:
        home = Path(env["AIRLOOM_HOME"])
        self.market_url = f"http://127.0.0.1:{env['AIRLOOM_MARKETPLACE_PORT']}"
        self.serving_url = f"http://127.0.0.1:{env['AIRLOOM_SERVING_PORT']}"
        self.mlflow_url = f"http://127.0.0.1:{env['AIRLOOM_MLFLOW_PORT']}"
        key = json.loads((home / "credentials.json").read_text())["marketplace_key"]
        self.headers = {"X-API-Key": key}
        self.market = httpx.Client(base_url=self.market_url, headers=self.headers, timeout=120)
        password = json.loads((home / "airflow" / "passwords.json").read_text())["admin"]
        self.airflow = RestAirflowClient(
            f"http://127.0.0.1:{env['AIRLOOM_AIRFLOW_PORT']}", "admin", password
        )

    def ok(self, response: httpx.Response, status: int = 200) -> Any:
        if response.status_code != status:
            sys.exit(f"{response.request.method} {response.request.url} answered "
                     f"{response.status_code}: {response.text[:500]}")  # fmt: skip
        return response.json() if response.content else None

    def until(self, what: str, check: Callable[[], Any], interval: float, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while not (found := check()):
            if time.monotonic() > deadline:
                sys.exit(f"{what}: not done after {timeout:.0f} s")
            time.sleep(interval)
        return found

    def predicts(self, endpoint: str) -> bool:
        response = self.market.post(
            f"/api/v1/endpoints/{endpoint}/invocations",
            content=BODY,
            headers={"content-type": "application/json"},
        )
        return response.status_code == 200

    def run_ended(self, status_url: str) -> dict | None:
        status = self.ok(self.market.get(status_url))
        if status["state"] == "failed":
            sys.exit(f"deployment failed: {status}")
        return status if status["state"] == "success" else None


def prepare(lab: Stack, version: int) -> None:
    """The version listed and validated once, so both deployment paths gate alike."""
    lab.until(f"{MODEL} listed", lambda: lab.market.get(f"/api/v1/models/{MODEL}").is_success,
              1.0, 120)  # fmt: skip
    path = f"/api/v1/models/{MODEL}/versions/{version}/validation"
    lab.ok(lab.market.post(f"/api/v1/models/{MODEL}/versions/{version}/validate"), 202)

    def validated() -> bool:
        status = lab.ok(lab.market.get(path))["status"]
        if status in ("failed", "error"):
            sys.exit(f"validation of {MODEL} v{version} ended {status}")
        return status == "passed"

    lab.until("validation", validated, 2.0, 900)


def through_marketplace(lab: Stack, version: int, endpoint: str) -> tuple[float, float]:
    """(request → 202, request → first successful invocation), in seconds."""
    path = f"/api/v1/models/{MODEL}/versions/{version}/deploy"
    sent = time.perf_counter()
    started = lab.ok(lab.market.post(path, json={"endpoint": endpoint, "reason": "bench"}), 202)
    answered = time.perf_counter()
    lab.until(f"{endpoint} answering", lambda: lab.predicts(endpoint), 0.1, 900)
    first = time.perf_counter()
    lab.until(f"{endpoint} run ended", lambda: lab.run_ended(started["status_url"]), 0.5, 300)
    return answered - sent, first - sent


def bare_run(lab: Stack, version: int, endpoint: str) -> float:
    """The same deployment as a bare DAG run: trigger → the run seen ``success``."""
    conf = {"model_name": MODEL, "version": version, "target": "local", "endpoint": endpoint,
            "deployed_by": "bench", "reason": "bench", "tenant": TENANT, "action": "deploy",
            "require_validation": True}  # fmt: skip
    sent = time.perf_counter()
    run = lab.airflow.trigger("model_deployment", conf)
    while (state := lab.airflow.get_run("model_deployment", run.run_id).state) != "success":
        if state == "failed":
            sys.exit(f"bare run {run.run_id} failed")
        time.sleep(0.25)
    return time.perf_counter() - sent


def deployments(lab: Stack, version: int, rounds: int) -> dict[str, list[float]]:
    from airloom.deploy import get_target

    local = get_target("local", tracking_uri=lab.mlflow_url, serving_url=lab.serving_url)
    # First runs wait for the DAG's first parse and warm the serving process: not measured.
    bare_run(lab, version, "bench-warm-bare")
    through_marketplace(lab, version, "bench-warm-market")
    timings: dict[str, list[float]] = {"answer": [], "first_invocation": [], "bare": []}
    for number in range(rounds):
        order = ["market", "bare"] if number % 2 == 0 else ["bare", "market"]
        for path in order:
            if path == "market":
                answer, first = through_marketplace(lab, version, f"bench-m{number}")
                timings["answer"].append(answer)
                timings["first_invocation"].append(first)
                lab.ok(lab.market.delete(f"/api/v1/endpoints/bench-m{number}"), 204)
            else:
                timings["bare"].append(bare_run(lab, version, f"bench-b{number}"))
                local.delete_deployment(f"bench-b{number}")
            print(f"round {number + 1} {path:<7} done", flush=True)
    return timings


def predictions(lab: Stack, rounds: int, requests: int) -> dict[tuple[str, int], list[dict]]:
    endpoint = "bench-warm-market"  # deployed above, through the marketplace
    urls = {
        "serving": (f"{lab.serving_url}/endpoints/{endpoint}/invocations", None),
        "marketplace": (f"{lab.market_url}/api/v1/endpoints/{endpoint}/invocations", lab.headers),
    }
    results: dict[tuple[str, int], list[dict]] = {}
    for number in range(rounds):
        for level in LEVELS:
            count = requests if level > 1 else max(200, requests // 3)
            order = list(urls.items()) if number % 2 == 0 else list(reversed(urls.items()))
            for name, (url, headers) in order:
                figures = asyncio.run(drive(url, BODY.encode(), level, count, headers))
                results.setdefault((name, level), []).append(figures)
                print(f"round {number + 1} c={level:<2} {name:<12} {figures['rps']:7.0f} req/s "
                      f"p50 {figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms",
                      flush=True)  # fmt: skip
    return results


def report(timings: dict[str, list[float]], results: dict) -> None:
    bare = statistics.median(timings["bare"])
    answer = statistics.median(timings["answer"])
    first = statistics.median(timings["first_invocation"])
    print(f"\n(a) deployment, median of {len(timings['bare'])} rounds (seconds)")
    print(f"  bare model_deployment run, trigger -> success       {bare:8.2f}  (baseline)")
    print(f"  marketplace deploy request -> 202                   {answer:8.3f}  "
          f"ratio {answer / bare:.3f}")  # fmt: skip
    print(f"  marketplace deploy request -> first invocation      {first:8.2f}  "
          f"ratio {first / bare:.2f}")  # fmt: skip

    def median(name: str, level: int, key: str) -> float:
        return statistics.median(figures[key] for figures in results[(name, level)])

    print("\n(b) predictions, median of rounds: marketplace against the serving process")
    for level in LEVELS:
        serving, market = median("serving", level, "rps"), median("marketplace", level, "rps")
        added = serving / market - 1
        p50 = median("marketplace", level, "p50_ms") / median("serving", level, "p50_ms")
        p99 = median("marketplace", level, "p99_ms") / median("serving", level, "p99_ms")
        verdict = ""
        if level == LEVELS[-1]:
            verdict = f"  ({'meets' if added < GOAL else 'MISSES'} the goal: under {GOAL:.0%})"
        print(f"  c={level:<2} serving {serving:6.0f} req/s, marketplace {market:6.0f} req/s: "
              f"adds {added:+.0%} time per request; latency ratio p50 {p50:.2f}, "
              f"p99 {p99:.2f}{verdict}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1500, help="per level at concurrency 32")
    args = parser.parse_args()
    with stack() as env:
        lab = Stack(env)
        model_uri = train_and_register(lab.mlflow_url)
        version = int(model_uri.rsplit("/", 1)[1])
        from mlflow import MlflowClient

        from airloom import model_tags

        MlflowClient(lab.mlflow_url).set_registered_model_tag(MODEL, model_tags.TENANT, TENANT)
        prepare(lab, version)
        timings = deployments(lab, version, args.rounds)
        results = predictions(lab, args.rounds, args.requests)
    report(timings, results)


if __name__ == "__main__":
    main()
