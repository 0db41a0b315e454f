"""Kafka into the lake with Spark Structured Streaming, resumable from a checkpoint.

:func:`read_kafka_stream` uses Spark's own ``kafka`` format when its connector jar is on the
classpath (EMR, or a cluster with the package installed) and Airloom's Python data source
(:mod:`airloom.spark.kafka_source`) otherwise; both take the same options and give the same
columns. :func:`stream_kafka_to_dataset` parses JSON values into columns and appends each
micro-batch to a dataset; with ``availableNow`` it reads what is there and stops, and a rerun
continues from the checkpoint: no record twice, none skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airloom.spark.output import APPEND, write_dataset

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

KAFKA_PROVIDER_CLASS = "org.apache.spark.sql.kafka010.KafkaSourceProvider"
CORRUPT_COLUMN = "_airloom_unparsed"
KAFKA_COLUMNS = ("topic", "partition", "offset", "kafka_timestamp")


class MalformedRecordError(ValueError):
    """A record's value is not JSON matching the declared schema."""


def kafka_format_available(spark: SparkSession) -> bool:
    """Whether Spark's own Kafka connector is on the classpath."""
    return bool(spark._jvm.org.apache.spark.util.Utils.classIsLoadable(KAFKA_PROVIDER_CLASS))


def read_kafka_stream(spark: SparkSession, options: Mapping[str, Any]) -> DataFrame:
    """A streaming DataFrame over one Kafka topic, with Spark's ``kafka`` format columns.

    :param options: ``subscribe``, ``startingOffsets``, ``maxOffsetsPerTrigger`` and
        ``kafka.<client setting>``, as Spark's Kafka format takes them.
    """
    settings = {key: str(value) for key, value in options.items()}
    if kafka_format_available(spark):
        return spark.readStream.format("kafka").options(**settings).load()
    from airloom.spark.kafka_source import SOURCE_NAME, KafkaDataSource

    if not spark._jsparkSession.sessionState().dataSourceManager().dataSourceExists(SOURCE_NAME):
        spark.dataSource.register(KafkaDataSource)
    return spark.readStream.format(SOURCE_NAME).options(**settings).load()


@dataclass
class StreamRun:
    rows: int = 0
    batches: int = 0
    malformed: int = 0


def stream_kafka_to_dataset(
    spark: SparkSession,
    *,
    options: Mapping[str, Any],
    value_schema: str,
    output_uri: str,
    checkpoint_uri: str,
    label: str,
    on_malformed: str = "fail",
) -> StreamRun:
    """Append the topic's new records, parsed, to the dataset at ``output_uri``; then stop.

    Each micro-batch's files are named after its batch id and replaced if Spark replays the
    batch after a crash, so the dataset holds each record once. A malformed value fails the
    run (naming its topic, partition and offset) before anything of that batch is written,
    unless ``on_malformed`` is ``drop``.

    :param value_schema: the JSON value's columns as a Spark DDL string.
    :param checkpoint_uri: where Spark keeps the offsets between runs.
    """
    from pyspark.sql import functions as F

    schema = _value_schema(spark, value_schema, label)
    raw_value = F.col("value").cast("string")
    records = read_kafka_stream(spark, options).select(
        F.from_json(
            raw_value,
            f"{value_schema}, {CORRUPT_COLUMN} STRING",
            {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_COLUMN},
        ).alias("record"),
        raw_value.alias("raw_value"),
        "topic",
        "partition",
        "offset",
        F.col("timestamp").alias("kafka_timestamp"),
    )
    malformed = F.col("record").isNull() | F.col(f"record.{CORRUPT_COLUMN}").isNotNull()
    run = StreamRun()
    failures: list[Exception] = []

    def write_batch(batch: DataFrame, batch_id: int) -> None:
        batch.persist()  # read Kafka once for the check, the count and the write
        try:
            bad = batch.where(malformed).orderBy("partition", "offset")
            first_bad = bad.select("topic", "partition", "offset", "raw_value").first()
            if first_bad is not None:
                if on_malformed != "drop":
                    failures.append(_malformed_error(label, first_bad, value_schema))
                    raise failures[-1]
                run.malformed += bad.count()
            good = batch.where(~malformed).select(
                *[F.col(f"record.`{name}`").alias(name) for name in schema.fieldNames()],
                *KAFKA_COLUMNS,
            )
            count = good.count()
            if count:
                write_dataset(good, output_uri, mode=APPEND, file_prefix=f"batch-{batch_id:010d}")
            run.rows += count
            run.batches += 1
        finally:
            batch.unpersist()

    query = (
        records.writeStream.foreachBatch(write_batch)
        .option("checkpointLocation", checkpoint_uri)
        .trigger(availableNow=True)
        .start()
    )
    try:
        query.awaitTermination()
    except Exception as exc:  # StreamingQueryException wraps what write_batch raised
        if failures:
            raise failures[-1] from None
        raise RuntimeError(f"{label}: the Kafka stream stopped: {exc}") from exc
    return run


def _value_schema(spark: SparkSession, ddl: str, label: str) -> Any:
    from pyspark.errors import PySparkException

    try:
        # Parsed by the session (StructType.fromDDL is Spark 4's): the same on Glue's Spark 3.5.
        schema = spark.createDataFrame([], ddl).schema
    except PySparkException as exc:
        raise ValueError(
            f"{label}: value_schema {ddl!r} is not a Spark DDL schema: {exc}"
        ) from None
    clashes = sorted(set(schema.fieldNames()) & {*KAFKA_COLUMNS, CORRUPT_COLUMN})
    if clashes:
        raise ValueError(
            f"{label}: value_schema fields {clashes} clash with the Kafka columns the output "
            f"keeps ({', '.join(KAFKA_COLUMNS)}); rename them"
        )
    return schema


def _malformed_error(label: str, record: Any, value_schema: str) -> MalformedRecordError:
    shown = record["raw_value"] if record["raw_value"] is not None else "(no value)"
    if len(shown) > 200:
        shown = f"{shown[:200]}…"
    return MalformedRecordError(
        f"{label}: record {record['topic']}[{record['partition']}]@{record['offset']} is not "
        f"JSON matching {value_schema!r}: {shown!r}. Nothing of its batch was written; fix or "
        "skip the record (on_malformed='drop') and run again."
    )
