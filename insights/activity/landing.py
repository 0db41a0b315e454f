"""Activity events landed in the lake, once each, by the pipelines' own Kafka ingestion.

:class:`airloom.ingest.kafka_ingestion.KafkaIngestion` does the exactly-once work (the lease,
records the lake already holds dropped, offsets committed only after the Parquet writes,
quarantine and dead letters for events that do not fit). The one thing activity does
differently is where a batch's rows go: not one dataset, but one folder per kind and tenant,

    <lake root>/_airloom/activity/<kind>/tenant=<tenant>/ingest_date=<day>/kafka-….parquet

all inside the one dataset ``_airloom/activity`` whose records the ingestion checks, so a
record written to any folder counts as held. Kind and tenant are safe as folder names: the
record schema allows only the contract's kinds and tenant names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airloom.ingest.kafka_ingestion import KafkaIngestion, PreparedBatch
from airloom.ingest.records import INGEST_DATE, RecordSchema
from insights.activity.events import ACTIVITY_SCHEMA

if TYPE_CHECKING:
    import pyarrow as pa

    from insights.activity.kafka_clients import KafkaClients
    from insights.core.config import Settings


def activity_folder(activity_uri: str, kind: str, tenant: str) -> str:
    return f"{activity_uri}/{kind}/tenant={tenant}"


def split_by_kind_and_tenant(table: pa.Table) -> list[tuple[str, str, pa.Table]]:
    """The batch's rows per (kind, tenant), without the tenant column (its folder names it)."""
    import pyarrow.compute as pc

    groups = table.group_by(["kind", "tenant"]).aggregate([]).to_pylist()
    parts = []
    for group in sorted(groups, key=lambda g: (g["kind"], g["tenant"])):
        mask = pc.and_(
            pc.equal(table["kind"], group["kind"]), pc.equal(table["tenant"], group["tenant"])
        )
        parts.append((group["kind"], group["tenant"], table.filter(mask).drop_columns(["tenant"])))
    return parts


class ActivityIngestion(KafkaIngestion):
    """One bounded batch of ``airloom.activity`` into the lake; see the module docstring."""

    def write_valid(self, prepared: PreparedBatch) -> list[str]:
        from airloom.datasets import write_table

        if prepared.valid_table is None:
            return []
        written: list[str] = []
        with self.lease.held("write the activity"):
            # A crash between two folders' writes is safe: nothing is committed yet, and the
            # next run drops the records already written to any of them.
            for kind, tenant, rows in split_by_kind_and_tenant(prepared.valid_table):
                written += write_table(
                    rows,
                    activity_folder(self.dataset_uri, kind, tenant),
                    prepared.valid_file,
                    partition_by=INGEST_DATE,
                    replace=False,
                )
        return written


def activity_ingestion(settings: Settings, clients: KafkaClients, label: str) -> ActivityIngestion:
    """An ingestion of the activity topic as the settings say, in small batches."""
    return ActivityIngestion(
        clients,  # type: ignore[arg-type]  # the four methods of the hook it uses
        topic=settings.activity_topic,
        record_schema=RecordSchema(ACTIVITY_SCHEMA),
        dataset_uri=settings.activity_uri,
        quarantine_uri=settings.quarantine_uri,
        group_id=settings.consumer_group,
        dead_letter_topic=settings.dead_letter_topic,
        max_records=settings.consume_batch_records,
        max_seconds=settings.consume_batch_seconds,
        run_label=label,
    )
