"""Kafka ingestion throughput against a bare confluent-kafka consume loop (target: ratio ≥ 0.5).

Starts a real broker (the Tansu broker the tests use), fills one topic with small JSON order
events (1 % malformed), then alternates, on the same broker and topic:

- baseline: a bare confluent-kafka loop that assigns every partition from the start and
  consumes until each partition is at its end, touching each value (the same fetch settings,
  chunk size and end-of-partition rule as Airloom's, so only the work per record differs);
- airloom: one full ``KafkaIngestion`` run, each time with a new consumer group and dataset:
  JSON parsing, schema validation, Arrow columns, dead letters, the durable Parquet write and
  the offset commit.

Rates are records per second over each round's wall time; the ratio compares the medians.

    .venv/bin/python bench/ingest_throughput.py [--records 50000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.harness

from tests.harness.airflow import configure_airflow_home

configure_airflow_home()  # before anything imports Airflow

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402

from airloom.hooks.kafka import KafkaHook  # noqa: E402
from airloom.ingest.kafka_ingestion import CONSUMER_SETTINGS, KafkaIngestion  # noqa: E402
from airloom.ingest.kafka_source import (  # noqa: E402
    CONSUME_CHUNK,
    CONSUME_WAIT_SECONDS,
    fetch_progress,
)
from airloom.ingest.records import RecordSchema  # noqa: E402
from tests.harness.servers import kafka_broker  # noqa: E402

TARGET = 0.5
TOPIC = "bench.orders"
SCHEMA = {
    "type": "object",
    "required": ["order_id", "customer", "amount", "currency"],
    "properties": {
        "order_id": {"type": "integer"},
        "customer": {"type": "string"},
        "amount": {"type": "number", "minimum": 0},
        "currency": {"enum": ["EUR", "USD", "GBP"]},
        "created_at": {"type": "string"},
        "coupon": {"type": ["string", "null"]},
    },
}


def fill_topic(bootstrap: str, count: int) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "acks": "all"})
    for index in range(count):
        if index % 100 == 99:
            value = b'{"order_id": "broken"'
        else:
            value = json.dumps(
                {
                    "order_id": index,
                    "customer": f"c{index % 997}",
                    "amount": round(index * 0.37 % 500, 2),
                    "currency": ("EUR", "USD", "GBP")[index % 3],
                    "created_at": "2026-11-23T18:00:00Z",
                    "coupon": None if index % 5 else "WINTER",
                }
            ).encode()
        while True:
            try:
                producer.produce(TOPIC, value=value, key=str(index % 997).encode())
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    if producer.flush(120):
        raise RuntimeError("could not fill the benchmark topic")


def bare_loop(bootstrap: str, group: str) -> int:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            **CONSUMER_SETTINGS,
        }
    )
    try:
        partitions = consumer.list_topics(TOPIC, timeout=30).topics[TOPIC].partitions
        consumer.assign([TopicPartition(TOPIC, p) for p in partitions])
        count, total_bytes, at_end = 0, 0, set()
        while True:
            progress = fetch_progress(consumer, TOPIC, list(partitions))
            at_end |= progress.ended
            if len(at_end) == len(partitions):
                break
            wanted = min(CONSUME_CHUNK, progress.waiting or CONSUME_CHUNK)
            for message in consumer.consume(wanted, timeout=CONSUME_WAIT_SECONDS):
                if message.error():
                    if message.error().code() != KafkaError._PARTITION_EOF:
                        raise RuntimeError(message.error())
                    at_end.add(message.partition())
                    continue
                at_end.discard(message.partition())
                count += 1
                total_bytes += len(message.value())
        return count
    finally:
        consumer.close()


def airloom_run(lake: Path, round_number: int) -> int:
    with KafkaIngestion(
        KafkaHook(),
        topic=TOPIC,
        record_schema=RecordSchema(SCHEMA),
        dataset_uri=f"{lake.as_uri()}/orders_{round_number}",
        quarantine_uri=f"{lake.as_uri()}/orders_{round_number}_quarantine",
        group_id=f"bench-airloom-{round_number}",
        dead_letter_topic=f"{TOPIC}.dlq",
        max_records=10_000_000,
        max_seconds=600,
    ) as ingestion:
        summary = ingestion.run()
    return summary.written + summary.quarantined


def timed(function, *args) -> tuple[float, int]:
    started = time.perf_counter()
    count = function(*args)
    return time.perf_counter() - started, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with kafka_broker() as broker, tempfile.TemporaryDirectory() as lake_dir:
        os.environ["AIRFLOW_CONN_AIRLOOM_KAFKA"] = json.dumps(
            {"conn_type": "kafka", "extra": {"bootstrap.servers": broker.url}}
        )
        fill_topic(broker.url, args.records)
        airloom_run(Path(lake_dir), -1)  # warm-up: imports, topic metadata, dead-letter topic
        baseline_rates, airloom_rates = [], []
        for round_number in range(args.rounds):
            seconds, count = timed(bare_loop, broker.url, f"bench-bare-{round_number}")
            assert count == args.records, f"bare loop read {count} of {args.records}"
            baseline_rates.append(count / seconds)
            seconds, count = timed(airloom_run, Path(lake_dir), round_number)
            assert count == args.records, f"ingestion stored {count} of {args.records}"
            airloom_rates.append(count / seconds)
            print(
                f"round {round_number + 1}: bare loop {baseline_rates[-1]:,.0f} records/s, "
                f"airloom ingestion {airloom_rates[-1]:,.0f} records/s"
            )
    baseline, airloom = statistics.median(baseline_rates), statistics.median(airloom_rates)
    ratio = airloom / baseline
    print(f"baseline (bare confluent-kafka consume loop): {baseline:,.0f} records/s")
    print(f"airloom kafka ingestion (validate, Parquet, commit): {airloom:,.0f} records/s")
    print(f"ratio airloom/bare: {ratio:.2f} (target >= {TARGET})")
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} (both sides share it)")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
