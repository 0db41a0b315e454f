"""Parquet datasets: rewriting a batch replaces it, partitions round-trip, in-flight files hide."""

from pathlib import Path

import pyarrow as pa

from airloom.datasets import read_table, write_table


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
