"""Activity files as the consumer lands them, for the read model's tests."""

from __future__ import annotations

import uuid

import pyarrow as pa

from airloom.datasets import write_table
from insights.activity.landing import activity_folder
from insights.readmodel.lake import stored_schema
from insights.readmodel.rates import load_rates

RATES = load_rates("local")
TRAIN = RATES.task_hourly()["train"]
SERVING = RATES.serving_hourly()["default"]  # "local" is priced as the default


def land(activity: str, kind: str, tenant: str, rows: list[dict]) -> None:
    """A batch file as the consumer writes it (one kind, one tenant, an ingest day)."""
    schema = stored_schema()
    columns = {f.name: pa.nulls(len(rows), f.type) for f in schema}
    for name in rows[0]:
        columns[name] = pa.array([row[name] for row in rows], schema.field(name).type)
    columns["event_id"] = pa.array([uuid.uuid4().hex for _ in rows], pa.string())
    columns["kind"] = pa.array([kind] * len(rows), pa.string())
    columns["_kafka_partition"] = pa.array([0] * len(rows), pa.int32())
    columns["_kafka_offset"] = pa.array(range(len(rows)), pa.int64())
    columns["ingest_date"] = pa.array(["2026-12-03"] * len(rows), pa.string())
    write_table(
        pa.table(columns),
        activity_folder(activity, kind, tenant),
        f"kafka-{uuid.uuid4().hex[:8]}",
        partition_by="ingest_date",
        replace=False,
    )
