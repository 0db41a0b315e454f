"""The stack-check DAG runs for real against the broker, MLflow and a lake folder."""

from pathlib import Path

from confluent_kafka import Consumer, TopicPartition

from tests.harness.airflow import run_dag


def test_stack_check_succeeds_against_real_components(
    airflow_db: Path, airloom_connections: dict, broker, lake: Path
) -> None:
    result = run_dag("airloom_stack_check")

    assert result.succeeded, result.task_states
    assert set(result.task_states.values()) == {"success"}
    written = lake / "_stack_check" / "last_run.txt"
    assert written.read_text() == result.run_id
    # The message really went through the broker: read it back independently.
    topic, place = result.xcoms["kafka_round_trip"].split("@")
    partition, offset = (int(part) for part in place.split(":"))
    consumer = Consumer({"bootstrap.servers": broker.url, "group.id": "test-reader"})
    try:
        consumer.assign([TopicPartition(topic, partition, offset)])
        message = consumer.poll(15)
        assert message is not None and message.value().startswith(b"stack-check ")
    finally:
        consumer.close()
