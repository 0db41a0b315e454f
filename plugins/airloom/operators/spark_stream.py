"""Kafka to the lake with Spark Structured Streaming, one bounded run per task.

Each run reads what the topic holds beyond the checkpoint (``availableNow``), appends it to
the output dataset and stops, so a scheduled DAG gets exactly-once batches out of a stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, field_validator

from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.resources import (
    CheckpointRef,
    DatasetRef,
    PlatformConnection,
    TopicRef,
)
from airloom.connections import KAFKA_CONN_ID, LAKE_CONN_ID
from airloom.lake import check_dataset_name, lake_root
from airloom.operators.base import AirloomOperator
from airloom.operators.spark import SPARK_CONN_ID, table_uri
from airloom.spark.output import spark_uri

# librdkafka settings whose values are callables: they cannot travel as Spark options.
CALLBACK_SETTINGS = frozenset(
    {"error_cb", "throttle_cb", "stats_cb", "log_cb", "oauth_cb", "on_commit"}
)


class SparkKafkaStreamParams(NodeParams):
    topic: TopicRef = Field(description="Kafka topic to read.", min_length=1)
    value_schema: str = Field(
        description="Columns of the JSON record values, as a Spark DDL string, e.g. "
        "'transaction_id STRING, amount DOUBLE, event_time TIMESTAMP'.",
        min_length=1,
    )
    output_dataset: DatasetRef = Field(description="Lake dataset the records are appended to.")
    checkpoint: CheckpointRef | None = Field(
        default=None,
        description="Checkpoint name (default: the output dataset). Runs sharing a checkpoint "
        "continue where the last one stopped.",
    )
    starting_offsets: Literal["earliest", "latest"] = Field(
        default="earliest", description="Where the very first run starts."
    )
    max_offsets_per_trigger: int | None = Field(
        default=None, ge=1, description="At most this many records per micro-batch."
    )
    on_malformed: Literal["fail", "drop"] = Field(
        default="fail",
        description="fail: stop at a value that does not match value_schema, writing nothing "
        "of its batch; drop: leave such values out.",
    )
    kafka_conn_id: PlatformConnection = Field(
        default=KAFKA_CONN_ID, description="Kafka connection."
    )
    spark_conn_id: PlatformConnection = Field(
        default=SPARK_CONN_ID, description="Spark connection."
    )
    lake_conn_id: PlatformConnection = Field(default=LAKE_CONN_ID, description="Lake connection.")

    @field_validator("output_dataset", "checkpoint")
    @classmethod
    def _dataset_name(cls, value: str | None) -> str | None:
        return None if value is None else check_dataset_name(value)


class SparkKafkaStreamOperator(AirloomOperator):
    """Append a Kafka topic's new JSON records to a lake dataset with Spark Structured Streaming.

    The offsets live in a Spark checkpoint under the lake (``_checkpoints/<name>``), so each run
    continues exactly where the previous one stopped. Records keep their ``topic``,
    ``partition``, ``offset`` and ``kafka_timestamp``.

    :param topic: Kafka topic to read.
    :param value_schema: JSON value columns as Spark DDL.
    :param output_dataset: lake dataset to append to.
    :param checkpoint: checkpoint name, default the output dataset.
    :param starting_offsets: ``earliest`` or ``latest``, for a run without a checkpoint.
    :param max_offsets_per_trigger: cap on records per micro-batch.
    :param on_malformed: ``fail`` (default) or ``drop``.
    :param kafka_conn_id: Kafka connection (its extra is the client config).
    """

    node_type = "spark_stream"
    category = "ingest"
    description = (
        "Reads a Kafka topic with Spark Structured Streaming and appends its new JSON records, "
        "parsed into columns, to a lake dataset. Each run takes what arrived since the last "
        "one (offsets kept in a checkpoint in the lake) and stops: no record twice, none "
        "skipped. A record that does not match the schema stops the run with its offset."
    )
    params_model = SparkKafkaStreamParams
    output_ports = (Port("table", PortType.TABLE, "The dataset the records were appended to."),)
    ui_color = "#e3d7f4"

    dataset_params = ("output_dataset",)

    def run(
        self, params: SparkKafkaStreamParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.spark.session import spark_session
        from airloom.spark.streams import stream_kafka_to_dataset

        label = f"node {self.task_id!r}"
        output_uri = table_uri(params.output_dataset, params.lake_conn_id)
        checkpoint = params.checkpoint or params.output_dataset
        checkpoint_uri = spark_uri(lake_root(params.lake_conn_id) / "_checkpoints" / checkpoint)
        options: dict[str, Any] = {
            "subscribe": params.topic,
            "startingOffsets": params.starting_offsets,
            **{f"kafka.{key}": value for key, value in self._client_settings(params).items()},
        }
        if params.max_offsets_per_trigger:
            options["maxOffsetsPerTrigger"] = params.max_offsets_per_trigger
        spark = spark_session(f"airloom {self.dag_id}.{self.task_id}", conn_id=params.spark_conn_id)
        result = stream_kafka_to_dataset(
            spark,
            options=options,
            value_schema=params.value_schema,
            output_uri=output_uri,
            checkpoint_uri=checkpoint_uri,
            label=label,
            on_malformed=params.on_malformed,
        )
        self.log.info(
            "%s: appended %d records in %d batches to %s (%d malformed dropped)",
            label,
            result.rows,
            result.batches,
            output_uri,
            result.malformed,
        )
        return {"table": output_uri, "rows": result.rows, "malformed": result.malformed}

    def _client_settings(self, params: SparkKafkaStreamParams) -> dict[str, str]:
        """The connection's client config as Spark options (plain values only)."""
        from airloom.hooks.kafka import KafkaHook

        extra = KafkaHook(params.kafka_conn_id).get_connection(params.kafka_conn_id).extra_dejson
        callbacks = sorted(CALLBACK_SETTINGS & set(extra))
        if callbacks:
            raise ValueError(
                f"node {self.task_id!r}: Kafka connection {params.kafka_conn_id!r} sets "
                f"{callbacks}, which Spark's Kafka reader cannot use; give it plain client "
                "settings (e.g. SASL/SCRAM or TLS) for streaming"
            )
        if not extra.get("bootstrap.servers"):
            raise ValueError(
                f"node {self.task_id!r}: Kafka connection {params.kafka_conn_id!r} has no "
                "bootstrap.servers in its extra"
            )
        return {key: str(value) for key, value in extra.items()}
