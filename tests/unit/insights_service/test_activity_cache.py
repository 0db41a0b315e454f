"""The read model's memory of the lake: files landed since the last request are read, an
event_id already held is dropped, only the tenant's own folder is read, and the tenants asked
longest ago are let go."""

from __future__ import annotations

import uuid
from pathlib import Path

import pyarrow as pa

from airloom.datasets import write_table
from insights.activity.landing import activity_folder
from insights.readmodel.lake import ActivityCache, stored_schema


def land(activity: str, tenant: str, event_ids: list[str], first_offset: int) -> None:
    """A batch file as the consumer writes it (one kind, one tenant, an ingest day)."""
    schema = stored_schema()
    columns = {f.name: pa.nulls(len(event_ids), f.type) for f in schema}
    columns["event_id"] = pa.array(event_ids, pa.string())
    columns["kind"] = pa.array(["dag_run"] * len(event_ids), pa.string())
    columns["_kafka_partition"] = pa.array([0] * len(event_ids), pa.int32())
    offsets = range(first_offset, first_offset + len(event_ids))
    columns["_kafka_offset"] = pa.array(offsets, pa.int64())
    columns["ingest_date"] = pa.array(["2026-12-03"] * len(event_ids), pa.string())
    write_table(
        pa.table(columns),
        activity_folder(activity, "dag_run", tenant),
        f"kafka-t-0-{first_offset}-{uuid.uuid4().hex[:6]}",
        partition_by="ingest_date",
        replace=False,
    )


def ids(table: pa.Table) -> list[str]:
    return table["event_id"].to_pylist()


def test_new_files_are_read_and_a_repeated_event_counts_once(tmp_path: Path):
    activity = str(tmp_path / "_airloom" / "activity")
    cache = ActivityCache(activity)
    assert cache.events("dag_run", "acme").num_rows == 0  # nothing landed yet
    land(activity, "acme", ["a", "b", "a"], 0)  # "a" sent twice in one batch
    assert ids(cache.events("dag_run", "acme")) == ["a", "b"]
    land(activity, "acme", ["b", "c"], 3)  # "b" again in a later batch
    assert ids(cache.events("dag_run", "acme")) == ["a", "b", "c"]
    assert cache.events("dag_run", "acme")["_kafka_offset"].to_pylist() == [0, 1, 4]


def test_a_tenant_reads_only_its_own_folder(tmp_path: Path):
    activity = str(tmp_path / "_airloom" / "activity")
    land(activity, "acme", ["a1"], 0)
    land(activity, "globex", ["g1", "g2"], 1)
    cache = ActivityCache(activity)
    assert ids(cache.events("dag_run", "globex")) == ["g1", "g2"]
    assert ids(cache.events("dag_run", "acme")) == ["a1"]
    assert cache.events("task_run", "acme").num_rows == 0


def test_the_tenant_asked_longest_ago_is_let_go_and_read_again_when_asked(tmp_path: Path):
    activity = str(tmp_path / "_airloom" / "activity")
    for offset, tenant in enumerate(("acme", "globex", "initech")):
        land(activity, tenant, [f"{tenant}-1"], offset)
    cache = ActivityCache(activity, max_tenants=2)
    for tenant in ("acme", "globex", "initech"):
        cache.events("dag_run", tenant)
    assert list(cache._held) == ["globex", "initech"]
    assert ids(cache.events("dag_run", "acme")) == ["acme-1"]
    assert list(cache._held) == ["initech", "acme"]
