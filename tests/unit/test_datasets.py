"""Parquet datasets: rewriting a batch replaces it (or, asked, never does), partitions
round-trip, in-flight files hide and their leftovers go."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from airloom.datasets import read_table, remove_leftovers_named, write_table


def test_rewriting_a_batch_replaces_it_instead_of_duplicating(tmp_path: Path) -> None:
    uri = (tmp_path / "events").as_uri()
    batch = pa.table({"id": [1, 2, 3], "ingest_date": ["2026-11-01", "2026-11-01", "2026-11-02"]})
    first = write_table(batch, uri, "part-0", partition_by="ingest_date")
    second = write_table(batch, uri, "part-0", partition_by="ingest_date")
    assert first == second and len(first) == 2
    rows = read_table(uri).to_pylist()
    assert sorted(row["id"] for row in rows) == [1, 2, 3]
    assert {str(row["ingest_date"]) for row in rows} == {"2026-11-01", "2026-11-02"}


def test_in_flight_files_are_never_read(tmp_path: Path) -> None:
    uri = (tmp_path / "events").as_uri()
    write_table(pa.table({"id": [1]}), uri, "part-0")
    (tmp_path / "events" / ".part-1.abc.tmp").write_bytes(b"half a parquet file")
    assert read_table(uri).to_pylist() == [{"id": 1}]


def test_a_missing_dataset_reads_as_empty(tmp_path: Path) -> None:
    assert read_table((tmp_path / "nothing").as_uri()).num_rows == 0


def test_a_write_that_must_not_replace_keeps_the_file_already_there(tmp_path: Path) -> None:
    uri = (tmp_path / "events").as_uri()
    write_table(pa.table({"id": [1, 2]}), uri, "batch-a", replace=False)
    with pytest.raises(FileExistsError, match=r"batch-a\.parquet exists"):
        write_table(pa.table({"id": [3]}), uri, "batch-a", replace=False)
    assert read_table(uri).to_pylist() == [{"id": 1}, {"id": 2}]
    assert [p.name for p in (tmp_path / "events").iterdir()] == ["batch-a.parquet"]


def test_a_schema_reads_a_column_some_files_lack_as_nulls(tmp_path: Path) -> None:
    uri = (tmp_path / "events").as_uri()
    write_table(pa.table({"id": [1]}), uri, "a-older")  # the first file: no "source" column
    write_table(pa.table({"id": [2], "source": ["x"]}), uri, "b-newer")
    wanted = pa.schema([("id", pa.int64()), ("source", pa.string())])
    read = read_table(uri, where=pc.field("source").is_null(), schema=wanted)
    assert read.to_pylist() == [{"id": 1, "source": None}]


def test_leftovers_of_named_writes_go_whatever_their_age(tmp_path: Path) -> None:
    uri = (tmp_path / "events").as_uri()
    write_table(pa.table({"id": [1]}), uri, "kafka-orders-0-0-abc")
    folder = tmp_path / "events"
    ours = folder / ".kafka-orders-0-5-def.0123456789abcdef.tmp"  # a fresh one: just crashed
    others = folder / ".run-b.0123456789abcdef.tmp"  # another writer's: not ours to judge
    for leftover in (ours, others):
        leftover.write_bytes(b"PAR1 half a file")
    assert remove_leftovers_named(uri, "kafka-") == 1
    assert not ours.exists() and others.exists()
    assert read_table(uri).to_pylist() == [{"id": 1}]
