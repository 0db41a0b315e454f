"""Benchmark one registered model version: p50, p95 and p99 latency and throughput.

Conf: ``{"model_name": "churn", "version": 3, "concurrency": [1, 8, 32],
"requests_per_level": 200}``. The payload is the version's own input example; the model is
loaded with ``mlflow.pyfunc`` on the worker and called from 1, 8 and 32 threads. Figures land on
the version as the ``airloom.benchmark.status`` / ``.report`` / ``.run_id`` tags.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Param

BENCHMARK_PARAMS = {
    "model_name": Param(type="string", minLength=1, description="Registered model name"),
    "version": Param(type="integer", minimum=1, description="Model version to benchmark"),
    "concurrency": Param([1, 8, 32], type="array", description="Concurrency levels"),
    "requests_per_level": Param(200, type="integer", minimum=10),
}


def run_benchmark(params: dict[str, Any] | None = None) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    from airloom.hooks.mlflow import MlflowHook
    from airloom.ml.registry import ModelRef, download_model
    from airloom.model_checks.benchmark import BenchmarkConf, benchmark_model_dir

    conf = BenchmarkConf.model_validate(dict(params or {}))
    hook = MlflowHook()
    with hook.tracking(), tempfile.TemporaryDirectory(prefix="airloom-benchmark-") as folder:
        ref = ModelRef(conf.model_name, conf.version)
        model_dir = download_model(hook.client(), ref, Path(folder))
        return benchmark_model_dir(str(model_dir), conf)


def record(
    report: dict[str, Any] | None,
    params: dict[str, Any] | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Store the figures, or the failure, on the version's tags."""
    from airflow.sdk.exceptions import AirflowFailException

    from airloom import model_tags
    from airloom.hooks.mlflow import MlflowHook
    from airloom.ml.registry import ModelRef, ModelVersionNotFound, get_version, write_tags

    params = dict(params or {})
    try:
        ref = ModelRef(str(params["model_name"]), int(params["version"]))
        client = MlflowHook().client()
        get_version(client, ref)
    except (KeyError, TypeError, ValueError, ModelVersionNotFound) as exc:
        raise AirflowFailException(f"nothing to record for conf {params}: {exc}") from exc
    if report is None:
        report = {
            "status": "failed",
            "model": ref.name,
            "version": ref.version,
            "detail": "the benchmark task failed; see the `run_benchmark` log",
        }
    write_tags(
        client,
        ref,
        {
            model_tags.BENCHMARK_REPORT: report | {"airflow_run_id": run_id},
            model_tags.BENCHMARK_RUN_ID: run_id,
            model_tags.BENCHMARK_STATUS: report["status"],
        },
    )
    if report["status"] != "completed":
        raise AirflowFailException(report.get("detail", "benchmark failed"))
    return report


# PythonOperator rather than @task: at every parse a task copies the DAG's Params once per
# class in its operator's hierarchy, twice for a PythonOperator, four times for @task.
with DAG(
    dag_id="model_benchmark",
    schedule=None,
    # Started on demand by the marketplace: paused, its runs would wait in the queue forever.
    is_paused_upon_creation=False,
    catchup=False,
    max_active_runs=1,  # one at a time: parallel benchmarks on one worker skew each other
    params=BENCHMARK_PARAMS,
    tags=["airloom", "marketplace"],
    default_args={"retries": 0},
    doc_md=__doc__,
) as dag:
    measured = PythonOperator(
        task_id="run_benchmark",
        python_callable=run_benchmark,
        execution_timeout=timedelta(minutes=30),
    )
    PythonOperator(
        task_id="record",
        python_callable=record,
        op_args=[measured.output],
        trigger_rule="all_done",
        execution_timeout=timedelta(minutes=2),
    )
