"""Serving throughput and p99 latency: Airloom's serving process against `mlflow models serve`.

Run: ``.venv/bin/python bench/serving_throughput.py [--rounds 3] [--requests 1500]``

Trains a small scikit-learn model, registers it in a real MLflow server, then serves the same
version two ways on this machine, each as one process on loopback:

- baseline: ``mlflow models serve -m models:/<name>/1 --env-manager local`` (one worker);
- Airloom: the serving process (``marketplace.serving``), the endpoint created through the
  ``local`` deployment target, requests batched.

Both are driven with the same one-row ``dataframe_split`` requests at concurrency 1 and 32,
alternating between the two servers for several rounds (the median round is reported, since
the machine is shared). The load generator speaks HTTP/1.1 on keep-alive connections with
asyncio streams: an httpx client costs more CPU per request than either server on a 2-core
machine, which would measure the client rather than the servers. Targets: at least 1x the
baseline's throughput at concurrency 1 and at least 2x at 32.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_UV_AUTO_DETECT", "false")

from airloom_cli.stack import health
from tests.harness.servers import LOOPBACK, free_port, mlflow_server, serve

MODEL = "bench-serving"
FEATURES = ["tenure", "spend", "tickets", "discount"]
LEVELS = (1, 32)


def train_and_register(tracking_uri: str) -> str:
    import mlflow
    import mlflow.sklearn
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.uniform(0, 50, size=(400, len(FEATURES))), columns=FEATURES)
    labels = (frame["tenure"] + rng.normal(0, 5, 400) < 20).astype(int)
    model = LogisticRegression(max_iter=500).fit(frame, labels)
    mlflow.set_tracking_uri(tracking_uri)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            input_example=frame.head(2),
            registered_model_name=MODEL,
            pip_requirements=["scikit-learn"],
        )
    return f"models:/{MODEL}/{info.registered_model_version}"


def request_bytes(url: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    parts = urlsplit(url)
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{extra}"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(reader, writer, request: bytes) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return int(head[9:12]), await reader.readexactly(length)


async def drive(
    url: str, body: bytes, concurrency: int, requests: int, headers: dict[str, str] | None = None
) -> dict[str, float]:
    """``requests`` requests from ``concurrency`` keep-alive connections; rps and p99."""
    parts = urlsplit(url)
    request = request_bytes(url, body, headers)
    latencies: list[float] = []
    remaining = requests

    def checked(status: int, answer: bytes) -> None:
        if status != 200:
            raise RuntimeError(f"{url} answered {status}: {answer[:300]!r}")

    async def connection() -> None:
        nonlocal remaining
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            try:
                for _ in range(3):  # warm this connection
                    checked(*await _exchange(reader, writer, request))
            except BaseException:
                await barrier.abort()  # the others stop waiting: the run cannot start
                raise
            await barrier.wait()
            while remaining > 0:
                remaining -= 1
                start = time.perf_counter()
                checked(*await _exchange(reader, writer, request))
                latencies.append(time.perf_counter() - start)
        finally:
            writer.close()

    barrier = asyncio.Barrier(concurrency + 1)
    tasks = [asyncio.create_task(connection()) for _ in range(concurrency)]
    try:
        await barrier.wait()
    except asyncio.BrokenBarrierError:
        await asyncio.gather(*tasks)  # raises the warm-up's own error
        raise
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"rps": len(latencies) / wall, "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000}


def answer(url: str, body: bytes) -> list:
    import httpx

    response = httpx.post(url, content=body, headers={"content-type": "application/json"})
    response.raise_for_status()
    return response.json()["predictions"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=1500, help="per level at concurrency 32")
    args = parser.parse_args()
    body = json.dumps(
        {"dataframe_split": {"columns": FEATURES, "data": [[12.0, 30.5, 2.0, 5.0]]}}
    ).encode()
    venv_bin = str(Path(sys.executable).parent)
    with (
        tempfile.TemporaryDirectory(prefix="airloom-bench-serving-") as folder,
        ExitStack() as stack,
    ):
        root = Path(folder)
        tracking = stack.enter_context(mlflow_server(root / "mlflow"))
        model_uri = train_and_register(tracking.url)

        serving_port, baseline_port = free_port(), free_port()
        serving_url = f"http://{LOOPBACK}:{serving_port}"
        environment = {
            "AIRLOOM_SERVING_STATE_DIR": str(root / "serving"),
            "AIRLOOM_MLFLOW_TRACKING_URI": tracking.url,
            "AIRLOOM_SERVING_LOG_LEVEL": "WARNING",
        }
        stack.enter_context(
            serve(
                "airloom-serving",
                [
                    "env",
                    *(f"{k}={v}" for k, v in environment.items()),
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "marketplace.serving.app:app",
                    "--host",
                    LOOPBACK,
                    "--port",
                    str(serving_port),
                    "--no-access-log",
                ],
                health.http_ok(f"{serving_url}/healthz"),
                serving_url,
                serving_port,
            )
        )
        from airloom.deploy import get_target

        target = get_target("local", tracking_uri=tracking.url, serving_url=serving_url)
        target.create_deployment("bench", model_uri)  # returns once the endpoint answers

        baseline_url = f"http://{LOOPBACK}:{baseline_port}"
        stack.enter_context(
            serve(
                "mlflow-models-serve",
                [
                    "env",
                    f"MLFLOW_TRACKING_URI={tracking.url}",
                    f"PATH={venv_bin}:{os.environ['PATH']}",
                    f"{venv_bin}/mlflow",
                    "models",
                    "serve",
                    "-m",
                    model_uri,
                    "--env-manager",
                    "local",
                    "-h",
                    LOOPBACK,
                    "-p",
                    str(baseline_port),
                ],
                health.http_ok(f"{baseline_url}/ping"),
                baseline_url,
                baseline_port,
                timeout=180,
            )
        )
        urls = {
            "mlflow models serve": f"{baseline_url}/invocations",
            "airloom serving": f"{serving_url}/endpoints/bench/invocations",
        }
        same = {name: answer(url, body) for name, url in urls.items()}
        if len({json.dumps(value) for value in same.values()}) != 1:
            raise SystemExit(f"the two servers disagree: {same}")

        results: dict[tuple[str, int], list[dict[str, float]]] = {}
        for round_number in range(args.rounds):
            for level in LEVELS:
                count = args.requests if level > 1 else max(200, args.requests // 2)
                order = list(urls.items())
                if round_number % 2:
                    order.reverse()  # neither server always goes first
                for name, url in order:
                    figures = asyncio.run(drive(url, body, level, count))
                    results.setdefault((name, level), []).append(figures)
                    print(
                        f"round {round_number + 1} c={level:<2} {name:<20} "
                        f"{figures['rps']:8.0f} req/s  p99 {figures['p99_ms']:7.1f} ms",
                        flush=True,
                    )
        stats = target.get_deployment("bench")
        report(results, stats["requests"] / max(1, stats["batches"]))


def report(results: dict, mean_batch: float) -> None:
    def median(name: str, level: int, key: str) -> float:
        return statistics.median(figures[key] for figures in results[(name, level)])

    print("\nmedian of rounds, one-row dataframe_split requests, same model version:")
    print(f"{'concurrency':>11} {'server':<22}{'req/s':>9}{'p99 ms':>9}")
    for level in LEVELS:
        for name in ("mlflow models serve", "airloom serving"):
            rps, p99 = median(name, level, "rps"), median(name, level, "p99_ms")
            print(f"{level:>11} {name:<22}{rps:>9.0f}{p99:>9.1f}")
    print(f"(airloom: {mean_batch:.1f} requests per predict on average over the whole run)")
    for level, goal in zip(LEVELS, (1.0, 2.0), strict=True):
        ratio = median("airloom serving", level, "rps") / median(
            "mlflow models serve", level, "rps"
        )
        p99_ratio = median("mlflow models serve", level, "p99_ms") / median(
            "airloom serving", level, "p99_ms"
        )
        verdict = "meets" if ratio >= goal else "MISSES"
        print(
            f"concurrency {level}: throughput ratio airloom/mlflow = {ratio:.2f}x "
            f"({verdict} the {goal:.0f}x target); p99 ratio mlflow/airloom = {p99_ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
