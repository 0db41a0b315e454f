"""Spark reads Kafka from the real broker through Airloom's Python data source."""

from __future__ import annotations

from pathlib import Path

import pytest

from airloom.spark.streams import kafka_format_available, read_kafka_stream
from tests.harness.kafka_topics import new_topic, publish


def _options(broker, topic: str, **extra) -> dict:
    return {"kafka.bootstrap.servers": broker.url, "subscribe": topic, **extra}


def _run(spark, options: dict, sink: Path, checkpoint: Path):
    """One availableNow run into a Parquet folder; the query's progress reports."""
    query = (
        read_kafka_stream(spark, options)
        .writeStream.format("parquet")
        .option("path", str(sink))
        .option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    return query.recentProgress


def test_this_machine_uses_the_python_source(spark) -> None:
    # No spark-sql-kafka jar can be downloaded here: the Python data source must take over.
    assert not kafka_format_available(spark)


def test_reads_every_record_once_across_runs(spark, broker, tmp_path: Path) -> None:
    topic = new_topic(broker.url, "spark-source", partitions=2)
    publish(broker.url, topic, [f"first-{i}".encode() for i in range(6)], partition=0)
    publish(broker.url, topic, [f"first-{i}".encode() for i in range(6, 10)], partition=1)
    sink, checkpoint = tmp_path / "sink", tmp_path / "checkpoint"
    options = _options(broker, topic, startingOffsets="earliest")

    _run(spark, options, sink, checkpoint)
    rows = spark.read.parquet(str(sink)).collect()
    assert sorted(r.value.decode() for r in rows) == sorted(f"first-{i}" for i in range(10))
    assert {(r.partition, r.offset) for r in rows} == {(0, o) for o in range(6)} | {
        (1, o) for o in range(4)
    }
    assert all(r.topic == topic and r.timestamp is not None for r in rows)
    assert {r.key for r in rows if r.partition == 0} == {str(i).encode() for i in range(6)}

    publish(broker.url, topic, [f"second-{i}".encode() for i in range(3)], partition=1)
    _run(spark, options, sink, checkpoint)
    values = [r.value.decode() for r in spark.read.parquet(str(sink)).collect()]
    assert len(values) == 13 and len(set(values)) == 13  # the new three, nothing twice

    progress = _run(spark, options, sink, checkpoint)  # nothing new
    assert sum(p["numInputRows"] for p in progress) == 0
    assert spark.read.parquet(str(sink)).count() == 13


def test_latest_skips_history_and_max_offsets_splits_batches(spark, broker, tmp_path) -> None:
    topic = new_topic(broker.url, "spark-source-latest")
    publish(broker.url, topic, [b"old"] * 5)
    sink, checkpoint = tmp_path / "sink", tmp_path / "checkpoint"
    options = _options(broker, topic, startingOffsets="latest", maxOffsetsPerTrigger="3")

    _run(spark, options, sink, checkpoint)  # starts at the end: records the offsets only
    publish(broker.url, topic, [f"new-{i}".encode() for i in range(7)])
    progress = _run(spark, options, sink, checkpoint)

    rows = spark.read.parquet(str(sink)).collect()
    assert sorted(r.offset for r in rows) == list(range(5, 12))
    assert [p["numInputRows"] for p in progress] == [3, 3, 1]


def test_unknown_topic_is_named(spark, broker, tmp_path: Path) -> None:
    options = _options(broker, "no-such-topic-here", startingOffsets="earliest")
    with pytest.raises(Exception, match="no-such-topic-here"):
        _run(spark, options, tmp_path / "sink", tmp_path / "checkpoint")
