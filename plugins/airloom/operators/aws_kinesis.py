"""Amazon Kinesis Data Streams nodes: ingest a stream into the lake (exactly once, with shard
checkpoints), publish a dataset to a stream.

Clients come from the Amazon provider's :class:`KinesisHook` through a granted AWS connection,
with botocore's adaptive retries (:func:`airloom.aws_ai.clients.aws_client`). A tenant's
stream names are placed in its own prefix (``acme.clicks``, :meth:`TenantScope.stream`).
Heavy imports (boto3, pyarrow) stay inside :meth:`run`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any

from airflow.sdk import Context
from pydantic import Field, StringConstraints, field_validator, model_validator

from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.params import field_problems
from airloom.catalog.resources import (
    AwsConnectionRef,
    DatasetRef,
    KinesisStreamRef,
    PlatformConnection,
)
from airloom.connections import LAKE_CONN_ID
from airloom.lake import check_dataset_name, dataset_path
from airloom.operators.base import AirloomOperator
from airloom.operators.quarantined_ingest import QuarantinedIngestOperator, default_quarantine

AWS_CONN_ID = "aws_default"
# Kinesis's own rule for stream names (the tenant's prefix and its dot included).
StreamName = Annotated[KinesisStreamRef, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,128}$")]


@contextmanager
def _stream_must_exist(node_id: str) -> Iterator[None]:
    """A missing stream fails the node at once: no retry would find it."""
    from airflow.sdk.exceptions import AirflowFailException

    from airloom.ingest.kinesis_reading import StreamNotFound

    try:
        yield
    except StreamNotFound as missing:
        raise AirflowFailException(f"node {node_id!r}: {missing}") from missing


class KinesisConnectionParams(NodeParams):
    aws_conn_id: AwsConnectionRef = Field(
        default=AWS_CONN_ID,
        description="AWS connection granted to the tenant: the account, region and "
        "credentials the calls use.",
    )
    region_name: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}(-[a-z]+)+-\d$",
        description="AWS region; the connection's when empty.",
    )
    lake_conn_id: PlatformConnection = Field(default=LAKE_CONN_ID, description="Lake connection.")


class KinesisIngestParams(KinesisConnectionParams):
    stream: StreamName = Field(description="Kinesis data stream to read, e.g. 'clicks'.")
    dataset: DatasetRef = Field(
        description="Lake dataset the valid records are added to, e.g. 'web/clicks'."
    )
    record_schema: dict[str, Any] = Field(
        description="JSON Schema each record's JSON data must satisfy; its properties become "
        "the dataset's columns (objects and arrays are kept as JSON text).",
        json_schema_extra={"format": "json-schema"},
    )
    record_id_field: str | None = Field(
        default=None,
        min_length=1,
        description="A property identifying each record (e.g. 'event_id'): a record whose id "
        "the dataset already holds is dropped as a duplicate, as when a producer published "
        "it twice. Default: records are told apart by shard and sequence number only.",
    )
    max_records: int = Field(
        default=100_000, ge=1, le=5_000_000, description="Most records read in one run."
    )
    max_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="Longest time one run spends reading."
    )
    quarantine_dataset: DatasetRef | None = Field(
        default=None,
        description="Lake dataset malformed records are kept in with the reason; "
        "default <dataset>_quarantine.",
    )

    @field_validator("dataset", "quarantine_dataset")
    @classmethod
    def _dataset_name(cls, value: str | None) -> str | None:
        return None if value is None else check_dataset_name(value)

    @field_validator("record_schema")
    @classmethod
    def _usable_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        from airloom.ingest.kinesis_ingestion import KINESIS_COLUMNS, REASON
        from airloom.ingest.records import schema_problems

        problems = schema_problems(value)
        if problems:
            raise ValueError(problems[0])
        reserved = sorted(set(value["properties"]) & {*KINESIS_COLUMNS, REASON, "_value"})
        if reserved:
            raise ValueError(f"declares {', '.join(reserved)}, which Airloom adds itself")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> KinesisIngestParams:
        from airloom.ingest.records import RecordSchema

        problems = {}
        if self.quarantine == self.dataset:
            problems["quarantine_dataset"] = "quarantine_dataset must differ from dataset"
        if self.record_id_field is not None:
            columns = {c.name: c for c in RecordSchema(self.record_schema).columns}
            column = columns.get(self.record_id_field)
            if column is None:
                problems["record_id_field"] = (
                    f"{self.record_id_field!r} is not a property of record_schema "
                    f"(it has {', '.join(columns)})"
                )
            elif column.as_json_text:
                problems["record_id_field"] = (
                    f"{self.record_id_field!r} must be a string, integer or number property"
                )
        if problems:
            raise field_problems(problems)
        return self

    @property
    def quarantine(self) -> str:
        return self.quarantine_dataset or default_quarantine(self.dataset)


class KinesisIngestOperator(QuarantinedIngestOperator):
    """Read a bounded batch of a Kinesis data stream into a Parquet dataset, exactly once.

    Each record's data must be a JSON object satisfying ``record_schema``; valid records are
    added to ``dataset`` (hive-partitioned by ``ingest_date``, with ``_kinesis_stream``,
    ``_kinesis_shard_id``, ``_kinesis_sequence_number``, ``_kinesis_partition_key`` and
    ``_kinesis_arrival_time``), malformed ones to the quarantine dataset with a ``_reason``.
    Per shard, the last sequence number landed is kept in the footer of the file that landed
    it, so a rerun or a retry after a crash never loses or duplicates a record. See
    :mod:`airloom.ingest.kinesis_ingestion` and ``docs/aws_ai_nodes.md`` (Amazon Kinesis).

    :param stream: the tenant's stream to read.
    :param dataset: lake dataset for valid records.
    :param record_schema: JSON Schema of each record's data; its properties are the columns.
    :param record_id_field: a property whose repeats are dropped as duplicates.
    :param max_records: most records per run.
    :param max_seconds: longest time per run spent reading.
    :param quarantine_dataset: dataset for malformed records (default ``<dataset>_quarantine``).
    :param aws_conn_id: AWS connection granted to the tenant.
    :param region_name: AWS region (the connection's by default).
    :param lake_conn_id: lake connection.
    """

    node_type = "kinesis_ingest"
    category = "ingest"
    description = (
        "Reads an Amazon Kinesis data stream in bounded batches (max records, max seconds) "
        "into a Parquet dataset in the lake, partitioned by ingestion date. Every shard is "
        "read from where the last run stopped, older shards before the ones a reshard made "
        "from them. Each record must be JSON that satisfies the declared JSON Schema; "
        "malformed records are kept in a quarantine dataset with the reason. A rerun after a "
        "crash neither loses nor duplicates a record, and an id field can drop records a "
        "producer sent twice. Needs an AWS connection granted by an admin."
    )
    params_model = KinesisIngestParams

    def run(
        self, params: KinesisIngestParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airflow.providers.amazon.aws.hooks.kinesis import KinesisHook

        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.usage import Usage
        from airloom.ingest.kinesis_ingestion import KinesisIngestion
        from airloom.ingest.records import RecordSchema

        dataset_uri = str(dataset_path(params.dataset, params.lake_conn_id))
        quarantine_uri = str(dataset_path(params.quarantine, params.lake_conn_id))
        client = aws_client(
            "kinesis", params.aws_conn_id, region_name=params.region_name, hook_class=KinesisHook
        )
        ingestion = KinesisIngestion(
            client,
            stream=params.stream,
            record_schema=RecordSchema(params.record_schema),
            dataset_uri=dataset_uri,
            quarantine_uri=quarantine_uri,
            max_records=params.max_records,
            max_seconds=params.max_seconds,
            record_id_field=params.record_id_field,
        )
        with _stream_must_exist(self.task_id):
            summary = ingestion.run()
        usage = Usage("kinesis", "get_records", "GB read")
        usage.requests, usage.units = summary.get_records_calls, summary.bytes_read / 1e9
        usage.retries, usage.failed_rows = summary.retries, summary.quarantined
        usage.report(context, self.node_type)
        self.log.info("Ingested %r into %s: %s", params.stream, dataset_uri, summary.as_dict())
        if summary.quarantined:
            self.log.warning("%d malformed records kept in %s", summary.quarantined, quarantine_uri)
        return {
            "table": dataset_uri,
            "quarantine": quarantine_uri,
            **summary.as_dict(),
            "usage": [usage.as_dict()],
        }


class KinesisPublishParams(KinesisConnectionParams):
    stream: StreamName = Field(description="Kinesis data stream to publish the rows to.")
    partition_key_column: str | None = Field(
        default=None,
        min_length=1,
        description="Column whose value is each record's partition key (same key, same "
        "shard, in order); default a hash of the row, spreading rows over the shards.",
    )
    columns: list[str] | None = Field(
        default=None, min_length=1, description="Columns to publish; default all."
    )


class KinesisPublishOperator(AirloomOperator):
    """Publish every row of a dataset to a Kinesis data stream as a JSON record.

    Rows go out through PutRecords in calls of at most 500 records and 5 MiB; records a call
    failed (throttled shard, internal failure) are sent again with back-off, and the task
    succeeds only when every record was accepted. Kinesis has no idempotent producer: a
    retried task publishes the table again (at least once); see
    :mod:`airloom.ingest.kinesis_publishing`.

    :param stream: the tenant's stream to publish to.
    :param partition_key_column: column whose value is the partition key (default a hash).
    :param columns: columns to publish (default all).
    :param aws_conn_id: AWS connection granted to the tenant.
    :param region_name: AWS region (the connection's by default).
    :param lake_conn_id: lake connection for inputs given as dataset names.
    """

    node_type = "kinesis_publish"
    category = "publish"
    description = (
        "Publishes each row of a dataset to an Amazon Kinesis data stream as a JSON record "
        "(timestamps in ISO 8601), with a column's value as partition key or a hash of the "
        "row. Records the stream refused for a moment are sent again with back-off; the task "
        "succeeds only once the stream has accepted every row. Needs an AWS connection "
        "granted by an admin."
    )
    params_model = KinesisPublishParams
    input_ports = (Port("table", PortType.TABLE, "The dataset to publish."),)
    output_ports = (
        Port("stream", PortType.STREAM, "The stream, as kinesis://<connection>/<stream>."),
    )
    ui_color = "#e3f1dc"

    def run(
        self, params: KinesisPublishParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airflow.providers.amazon.aws.hooks.kinesis import KinesisHook
        from airflow.sdk.exceptions import AirflowFailException

        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.usage import Usage
        from airloom.ingest.kinesis_publishing import (
            PublishTally,
            TableRecords,
            calls,
            put_all,
        )
        from airloom.ingest.kinesis_reading import stream_incarnation

        try:
            records = TableRecords(
                self.task_id,
                inputs["table"],
                params.lake_conn_id,
                params.columns,
                params.partition_key_column,
            )
            records.check()  # a row that cannot be a record stops the node before any is sent
        except ValueError as unfit:  # the table's own: no retry would change it
            raise AirflowFailException(str(unfit)) from unfit
        client = aws_client(
            "kinesis", params.aws_conn_id, region_name=params.region_name, hook_class=KinesisHook
        )
        with _stream_must_exist(self.task_id):
            stream_incarnation(client, params.stream)  # fail before sending anything
        tally = PublishTally()
        usage = Usage("kinesis", "put_records", "PUT payload unit (25 KB)")
        try:
            for group in calls(records):
                put_all(client, params.stream, group, tally)
        finally:  # calls made are billed, whether or not every record got in
            usage.requests, usage.units = tally.calls, tally.payload_units
            usage.retries = tally.retries
            usage.report(context, self.node_type)
        self.log.info(
            "Published %d rows to %r in %d calls (%d records resent)",
            tally.records,
            params.stream,
            tally.calls,
            tally.resent,
        )
        return {
            "stream": f"kinesis://{params.aws_conn_id}/{params.stream}",
            "published": tally.records,
            "resent": tally.resent,
            "usage": [usage.as_dict()],
        }
