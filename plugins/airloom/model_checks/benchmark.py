"""Latency and throughput of a model's predictions at several concurrency levels.

:func:`measure` takes any ``predict`` callable, so the same measurement can run against a model
loaded in-process (the `model_benchmark` DAG) or against a serving endpoint.
"""

from __future__ import annotations

import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_CONCURRENCY = (1, 8, 32)


class BenchmarkConf(BaseModel):
    """The conf of a `model_benchmark` DAG run."""

    model_config = ConfigDict(extra="forbid")

    model_name: str = Field(min_length=1)
    version: int = Field(ge=1)
    concurrency: list[int] = Field(
        default_factory=lambda: list(DEFAULT_CONCURRENCY), min_length=1, max_length=8
    )
    requests_per_level: int = Field(default=200, ge=10, le=100_000)
    max_seconds_per_level: float = Field(default=30.0, gt=0, le=600)
    warmup_requests: int = Field(default=5, ge=0, le=1000)


def _level(
    predict: Callable[[], Any], concurrency: int, requests: int, max_seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        nonlocal issued
        while True:
            with lock:
                if issued >= requests or time.monotonic() > deadline:
                    return
                issued += 1
            start = time.perf_counter()
            try:
                predict()
            except Exception as exc:  # noqa: BLE001 - counted and reported, not fatal
                with lock:
                    errors.append(str(exc))
                continue
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    wall_start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall_start
    if len(latencies) < 2:
        raise RuntimeError(
            f"only {len(latencies)} successful request(s) at concurrency {concurrency}; "
            f"errors: {errors[:3]}"
        )
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": len(errors),
        "p50_ms": round(cuts[49] * 1000, 3),
        "p95_ms": round(cuts[94] * 1000, 3),
        "p99_ms": round(cuts[98] * 1000, 3),
        "throughput_rps": round(len(latencies) / wall, 2),
    }


def measure(
    predict: Callable[[], Any],
    concurrency: Sequence[int] = DEFAULT_CONCURRENCY,
    requests_per_level: int = 200,
    max_seconds_per_level: float = 30.0,
    warmup_requests: int = 5,
) -> list[dict[str, Any]]:
    """Call ``predict`` from 1, 8, 32 … threads; p50/p95/p99 latency and throughput per level."""
    for _ in range(warmup_requests):
        predict()
    return [
        _level(predict, level, requests_per_level, max_seconds_per_level) for level in concurrency
    ]


def benchmark_model_dir(model_dir: str, conf: BenchmarkConf) -> dict[str, Any]:
    """Benchmark the pyfunc model in ``model_dir`` with its own input example as the payload."""
    import mlflow.pyfunc
    from mlflow.models import Model

    example = Model.load(model_dir).load_input_example(model_dir)
    if example is None:
        raise ValueError(
            f"{conf.model_name} version {conf.version} has no input example to use as payload"
        )
    model = mlflow.pyfunc.load_model(model_dir)
    levels = measure(
        lambda: model.predict(example),
        conf.concurrency,
        conf.requests_per_level,
        conf.max_seconds_per_level,
        conf.warmup_requests,
    )
    return {
        "status": "completed",
        "model": conf.model_name,
        "version": conf.version,
        "mode": "in-process pyfunc",
        "payload_rows": len(example) if hasattr(example, "__len__") else 1,
        "levels": levels,
        "host": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
