"""Checks that the stack Airloom's DAGs need is reachable through Airloom's connections.

Trigger it after `airloom up` (or on MWAA after a deploy): it sends a message through Kafka and
reads it back, asks MLflow for its health, and writes and reads a file in the lake.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task

from airloom.connections import KAFKA_CONN_ID, LAKE_CONN_ID, MLFLOW_CONN_ID

CHECK_TOPIC = "airloom.stack-check"


@dag(
    dag_id="airloom_stack_check",
    schedule=None,
    catchup=False,
    tags=["airloom", "operations"],
    default_args={"retries": 1, "retry_delay": timedelta(seconds=10)},
    doc_md=__doc__,
)
def airloom_stack_check():
    @task(execution_timeout=timedelta(minutes=2))
    def kafka_round_trip(run_id: str | None = None) -> str:
        from airloom.hooks.kafka import KafkaHook

        hook = KafkaHook(KAFKA_CONN_ID)
        payload = f"stack-check {run_id}".encode()
        hook.ensure_topic(CHECK_TOPIC)
        sent = hook.produce(CHECK_TOPIC, [payload])
        received = hook.read(sent.topic, sent.partition, sent.offset)
        if received != payload:
            raise RuntimeError(f"read back {received!r} from {CHECK_TOPIC}, expected {payload!r}")
        return f"{CHECK_TOPIC}@{sent.partition}:{sent.offset}"

    @task(execution_timeout=timedelta(minutes=1))
    def mlflow_health() -> str:
        import httpx
        from airflow.sdk import BaseHook

        url = BaseHook.get_connection(MLFLOW_CONN_ID).host.rstrip("/")
        httpx.get(f"{url}/health", timeout=10).raise_for_status()
        return url

    @task(execution_timeout=timedelta(minutes=1))
    def lake_write_read(run_id: str | None = None) -> str:
        from airloom.lake import lake_root

        target = lake_root(LAKE_CONN_ID) / "_stack_check" / "last_run.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(run_id or "")
        if target.read_text() != (run_id or ""):
            raise RuntimeError(f"{target} did not read back what was written")
        return str(target)

    kafka_round_trip()
    mlflow_health()
    lake_write_read()


airloom_stack_check()
