"""Kafka nodes: ingest a topic into the lake (exactly once), publish a dataset to a topic.

Clients come from :class:`airloom.hooks.kafka.KafkaHook` (an Airflow Kafka connection; the
producer is idempotent). Heavy imports (confluent-kafka, pyarrow) stay inside :meth:`run`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from airflow.sdk import Context
from pydantic import Field, StringConstraints, field_validator, model_validator

from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.params import field_problems
from airloom.catalog.resources import (
    ConsumerGroupRef,
    DatasetRef,
    PlatformConnection,
    Resource,
    names,
)
from airloom.connections import KAFKA_CONN_ID, LAKE_CONN_ID
from airloom.lake import check_dataset_name, dataset_path
from airloom.operators.base import AirloomOperator
from airloom.operators.quarantined_ingest import QuarantinedIngestOperator, default_quarantine

# Kafka's own rule for topic names.
TopicName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,249}$")]


def table_uri(reference: Any, lake_conn_id: str) -> str:
    """A table reference as a URI: a URI as is, a bare dataset name resolved in the lake."""
    text = str(reference).strip()
    return text if "://" in text else str(dataset_path(text, lake_conn_id))


class KafkaIngestParams(NodeParams):
    topic: Annotated[TopicName, names(Resource.TOPIC)] = Field(description="Kafka topic to read.")
    dataset: DatasetRef = Field(
        description="Lake dataset the valid records are added to, e.g. 'churn/events'."
    )
    record_schema: dict[str, Any] = Field(
        description="JSON Schema each record's JSON value must satisfy; its properties become "
        "the dataset's columns (objects and arrays are kept as JSON text).",
        json_schema_extra={"format": "json-schema"},
    )
    consumer_group: ConsumerGroupRef | None = Field(
        default=None,
        min_length=1,
        description="Consumer group that keeps the committed offsets; "
        "default airloom.ingest.<dataset>.",
    )
    max_records: int = Field(
        default=100_000, ge=1, le=5_000_000, description="Most records read in one run."
    )
    max_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="Longest time one run spends reading."
    )
    dead_letter_topic: Annotated[TopicName, names(Resource.TOPIC)] | None = Field(
        default=None, description="Topic malformed records are sent to; default <topic>.dlq."
    )
    quarantine_dataset: DatasetRef | None = Field(
        default=None,
        description="Lake dataset malformed records are kept in with the reason; "
        "default <dataset>_quarantine.",
    )
    kafka_conn_id: PlatformConnection = Field(
        default=KAFKA_CONN_ID, description="Kafka connection."
    )
    lake_conn_id: PlatformConnection = Field(default=LAKE_CONN_ID, description="Lake connection.")

    @field_validator("dataset", "quarantine_dataset")
    @classmethod
    def _dataset_name(cls, value: str | None) -> str | None:
        return None if value is None else check_dataset_name(value)

    @field_validator("record_schema")
    @classmethod
    def _usable_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        from airloom.ingest.records import schema_problems

        problems = schema_problems(value)
        if problems:
            raise ValueError(problems[0])
        return value

    @model_validator(mode="after")
    def _distinct_destinations(self) -> KafkaIngestParams:
        problems = {}
        if self.dead_letters == self.topic:
            problems["dead_letter_topic"] = "dead_letter_topic must differ from topic"
        if self.quarantine == self.dataset:
            problems["quarantine_dataset"] = "quarantine_dataset must differ from dataset"
        if problems:
            raise field_problems(problems)
        return self

    @property
    def group_id(self) -> str:
        return self.consumer_group or f"airloom.ingest.{self.dataset}"

    @property
    def dead_letters(self) -> str:
        return self.dead_letter_topic or f"{self.topic}.dlq"

    @property
    def quarantine(self) -> str:
        return self.quarantine_dataset or default_quarantine(self.dataset)


class KafkaIngestOperator(QuarantinedIngestOperator):
    """Read a bounded batch of a Kafka topic into a Parquet dataset, exactly once.

    Each record's value must be a JSON object satisfying ``record_schema``; valid records are
    added to ``dataset`` (hive-partitioned by ``ingest_date``, with ``_kafka_topic``,
    ``_kafka_topic_id``, ``_kafka_partition``, ``_kafka_offset`` and ``_kafka_timestamp``),
    malformed ones go to the quarantine dataset with a ``_reason``, then to the dead-letter
    topic. Offsets are committed only once the Parquet files are durable, and records the lake
    already holds are skipped, so a crash and rerun loses and duplicates nothing. Runs that
    overlap take turns through a lease kept with the dataset: the newest holds it, and an older
    run stops before its next change. See :mod:`airloom.ingest.kafka_ingestion` and
    ``docs/kafka_ingestion.md``.

    Runs of one ingestion task do not overlap (``max_active_tis_per_dag=1`` unless overridden);
    the lease covers every other way of two runs meeting (another DAG, a zombie task).

    :param topic: Kafka topic to read.
    :param dataset: lake dataset for valid records.
    :param record_schema: JSON Schema of each record's value; its properties are the columns.
    :param consumer_group: consumer group holding the offsets (default from the dataset).
    :param max_records: most records per run.
    :param max_seconds: longest time per run spent reading.
    :param dead_letter_topic: topic for malformed records (default ``<topic>.dlq``).
    :param quarantine_dataset: dataset for malformed records (default ``<dataset>_quarantine``).
    :param kafka_conn_id: Kafka connection.
    :param lake_conn_id: lake connection.
    """

    node_type = "kafka_ingest"
    category = "ingest"
    description = (
        "Reads a Kafka topic in bounded batches (max records, max seconds) into a Parquet "
        "dataset in the lake, partitioned by ingestion date. Each record must be JSON that "
        "satisfies the declared JSON Schema; malformed records go to a dead-letter topic and a "
        "quarantine dataset with the reason. Offsets are committed only after the data is "
        "durable, and a rerun after a crash neither loses nor duplicates a record."
    )
    params_model = KafkaIngestParams

    def run(
        self, params: KafkaIngestParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.hooks.kafka import KafkaHook
        from airloom.ingest.kafka_ingestion import KafkaIngestion
        from airloom.ingest.records import RecordSchema

        dataset_uri = str(dataset_path(params.dataset, params.lake_conn_id))
        quarantine_uri = str(dataset_path(params.quarantine, params.lake_conn_id))
        with KafkaIngestion(
            KafkaHook(params.kafka_conn_id),
            topic=params.topic,
            record_schema=RecordSchema(params.record_schema),
            dataset_uri=dataset_uri,
            quarantine_uri=quarantine_uri,
            group_id=params.group_id,
            dead_letter_topic=params.dead_letters,
            max_records=params.max_records,
            max_seconds=params.max_seconds,
            run_label=_task_label(context),
        ) as ingestion:
            summary = ingestion.run()
        self.log.info("Ingested %r into %s: %s", params.topic, dataset_uri, summary.as_dict())
        if summary.quarantined:
            self.log.warning(
                "%d malformed records sent to %r and %s",
                summary.quarantined,
                params.dead_letters,
                quarantine_uri,
            )
        return {"table": dataset_uri, "quarantine": quarantine_uri, **summary.as_dict()}


def _task_label(context: Context) -> str:
    """This task instance, as a superseded run names the run that took over."""
    ti = context["ti"]
    return f"task {ti.dag_id}.{ti.task_id} of run {ti.run_id} (try {ti.try_number})"


class KafkaPublishParams(NodeParams):
    topic: Annotated[TopicName, names(Resource.TOPIC)] = Field(
        description="Kafka topic to publish the rows to."
    )
    key_column: str | None = Field(
        default=None,
        min_length=1,
        description="Column whose value keys each message (same key, same partition); "
        "default no key.",
    )
    columns: list[str] | None = Field(
        default=None, min_length=1, description="Columns to publish; default all."
    )
    kafka_conn_id: PlatformConnection = Field(
        default=KAFKA_CONN_ID, description="Kafka connection."
    )
    lake_conn_id: PlatformConnection = Field(
        default=LAKE_CONN_ID, description="Lake connection, for an input given as a bare name."
    )


class KafkaPublishOperator(AirloomOperator):
    """Publish every row of a dataset to a Kafka topic as a JSON message.

    Messages go through the idempotent producer, and the task succeeds only when the broker has
    acknowledged every one. A retried task publishes the dataset again (at least once).

    :param topic: topic to publish to.
    :param key_column: column that keys each message.
    :param columns: columns to publish (default all).
    :param kafka_conn_id: Kafka connection.
    :param lake_conn_id: lake connection for inputs given as dataset names.
    """

    node_type = "kafka_publish"
    category = "publish"
    description = (
        "Publishes each row of a dataset to a Kafka topic as a JSON message (timestamps in ISO "
        "8601), optionally keyed by a column, through an idempotent producer; the task succeeds "
        "only once the broker has acknowledged every message."
    )
    params_model = KafkaPublishParams
    input_ports = (Port("table", PortType.TABLE, "The dataset to publish."),)
    output_ports = (Port("stream", PortType.STREAM, "The topic, as kafka://<connection>/<topic>."),)
    ui_color = "#e3f1dc"

    def run(
        self, params: KafkaPublishParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.datasets import dataset_schema, read_batches
        from airloom.hooks.kafka import KafkaHook
        from airloom.ingest.json_rows import key_bytes, row_json
        from airloom.ingest.producing import OutgoingMessage, deliver_all

        uri = table_uri(inputs["table"], params.lake_conn_id)
        schema = dataset_schema(uri)
        if schema is None:
            raise ValueError(f"node {self.task_id!r}: no dataset to publish at {uri}")
        wanted = list(params.columns or schema.names)
        needed = wanted + ([params.key_column] if params.key_column else [])
        unknown = [name for name in needed if name not in schema.names]
        if unknown:
            raise ValueError(
                f"node {self.task_id!r}: {uri} has no column {', '.join(map(repr, unknown))} "
                f"(it has {', '.join(schema.names)})"
            )

        def messages():
            for batch in read_batches(uri, columns=list(dict.fromkeys(needed))):
                for row in batch.to_pylist():
                    key = key_bytes(row[params.key_column]) if params.key_column else None
                    yield OutgoingMessage(row_json({n: row[n] for n in wanted}), key=key)

        hook = KafkaHook(params.kafka_conn_id)
        producer = hook.producer()
        try:
            known = producer.list_topics(params.topic, timeout=30).topics.get(params.topic)
            if known is None or known.error is not None:  # managed clusters may refuse creation
                hook.ensure_topic(params.topic)
            published = deliver_all(producer, params.topic, messages())
        finally:
            if hasattr(producer, "close"):  # older clients have no close()
                producer.close()
        self.log.info("Published %d rows of %s to %r", published, uri, params.topic)
        return {"stream": f"kafka://{params.kafka_conn_id}/{params.topic}", "published": published}
