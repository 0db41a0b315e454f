"""Write modes: replace swaps the dataset's rows in one step, append adds a batch per run, and
the in-flight files a crashed write left are removed at the next write."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa

from airloom.datasets import data_files, read_table
from airloom.ingest.landing import land


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_replace_leaves_one_file_holding_the_latest_rows(tmp_path: Path) -> None:
    folder = tmp_path / "crm" / "customers"
    uri = folder.as_uri()
    land(pa.table({"id": [1, 2]}), uri, "append", "run-a")
    land(pa.table({"id": [3]}), uri, "append", "run-b")
    land(pa.table({"id": [7, 8, 9]}), uri, "replace", "run-c")
    assert sorted(read_table(uri)["id"].to_pylist()) == [7, 8, 9]
    assert names(folder) == ["current.parquet"]
    land(pa.table({"id": [10]}), uri, "replace", "run-d")
    assert read_table(uri)["id"].to_pylist() == [10]


def test_append_adds_a_batch_per_run_and_a_rerun_replaces_its_own(tmp_path: Path) -> None:
    uri = (tmp_path / "events").as_uri()
    land(pa.table({"id": [1, 2]}), uri, "append", "run-a")
    land(pa.table({"id": [3]}), uri, "append", "run-b")
    land(pa.table({"id": [3, 4]}), uri, "append", "run-b")  # run b cleared and rerun
    assert sorted(read_table(uri)["id"].to_pylist()) == [1, 2, 3, 4]
    assert [Path(p).name for p in data_files(uri)] == ["run-a.parquet", "run-b.parquet"]


def test_leftovers_of_a_crashed_write_are_removed_at_the_next_write(tmp_path: Path) -> None:
    folder = tmp_path / "events"
    uri = folder.as_uri()
    land(pa.table({"id": [1]}), uri, "append", "run-a")
    own = folder / ".run-b.0123456789abcdef.tmp"  # run b's first try died mid-write
    stale = folder / ".run-old.fedcba9876543210.tmp"  # another writer's, two hours old
    fresh = folder / ".run-c.aaaaaaaaaaaaaaaa.tmp"  # another writer's, in progress
    for leftover in (own, stale, fresh):
        leftover.write_bytes(b"PAR1 half a file")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))

    land(pa.table({"id": [2]}), uri, "append", "run-b")

    assert names(folder) == [fresh.name, "run-a.parquet", "run-b.parquet"]
    assert sorted(read_table(uri)["id"].to_pylist()) == [1, 2]
