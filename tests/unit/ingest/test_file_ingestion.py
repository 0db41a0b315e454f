"""Files into a dataset once each: new files only, reruns replace their own batch, a manifest
that commits with the rows and never shows in what readers see."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from airloom.datasets import data_files, read_table
from airloom.ingest.file_ingestion import MANIFEST_KEY, ingest_files, manifests
from airloom.ingest.file_sources import FileSourceError


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "a.csv").write_text("id,v\n1,a\n2,b\n")
    (folder / "b.csv").write_text("id,v\n3,c\n")
    return folder


def ids(uri: str) -> list[int]:
    return sorted(read_table(uri)["id"].to_pylist())


def test_each_run_reads_only_the_files_no_other_run_ingested(landing: Path, tmp_path) -> None:
    uri = (tmp_path / "lake" / "sales").as_uri()
    source = f"{landing}/*.csv"

    first = ingest_files(source, "csv", uri, "run-ingest-day1")
    assert (first.files_found, first.files_read, first.rows) == (2, 2, 3)

    nothing_new = ingest_files(source, "csv", uri, "run-ingest-day2")
    assert (nothing_new.files_read, nothing_new.rows) == (0, 0)
    assert ids(uri) == [1, 2, 3]
    assert [Path(p).name for p in data_files(uri)] == ["run-ingest-day1.parquet"]

    (landing / "c.csv").write_text("id,v\n4,d\n")
    third = ingest_files(source, "csv", uri, "run-ingest-day3")
    assert (third.files_read, third.rows) == (1, 1)
    assert ids(uri) == [1, 2, 3, 4]
    recorded = manifests(uri)
    assert [f.uri for f in recorded["run-ingest-day3.parquet"]] == [f"file://{landing}/c.csv"]
    assert {f.uri for f in recorded["run-ingest-day1.parquet"]} == {
        f"file://{landing}/a.csv",
        f"file://{landing}/b.csv",
    }


def test_a_rerun_of_the_same_run_reads_its_files_again_and_replaces_its_batch(
    landing: Path, tmp_path: Path
) -> None:
    uri = (tmp_path / "lake" / "sales").as_uri()
    ingest_files(f"{landing}/*.csv", "csv", uri, "run-ingest-day1")
    (landing / "c.csv").write_text("id,v\n4,d\n")  # arrives after the run, before its rerun

    rerun = ingest_files(f"{landing}/*.csv", "csv", uri, "run-ingest-day1")

    assert (rerun.files_read, rerun.rows) == (3, 4)
    assert ids(uri) == [1, 2, 3, 4]  # once each
    assert [Path(p).name for p in data_files(uri)] == ["run-ingest-day1.parquet"]


def test_an_edited_file_is_new_and_a_vanished_one_keeps_its_rows_on_a_rerun(
    landing: Path, tmp_path: Path
) -> None:
    uri = (tmp_path / "lake" / "sales").as_uri()
    ingest_files(f"{landing}/*.csv", "csv", uri, "run-day1")
    (landing / "b.csv").write_text("id,v\n3,c\n5,e\n")  # edited: another size and mtime
    second = ingest_files(f"{landing}/*.csv", "csv", uri, "run-day2")
    assert (second.files_read, second.rows) == (1, 2)
    assert ids(uri) == [1, 2, 3, 3, 5]  # the edited file's rows are added again, as documented

    os.remove(landing / "b.csv")  # archived after ingestion; then run day2 is cleared and rerun
    rerun = ingest_files(f"{landing}/*.csv", "csv", uri, "run-day2")
    assert (rerun.files_read, rerun.rows) == (0, 2)
    assert ids(uri) == [1, 2, 3, 3, 5]
    assert [f.uri for f in manifests(uri)["run-day2.parquet"]] == [f"file://{landing}/b.csv"]


def test_replace_and_append_modes_record_the_files_too(landing: Path, tmp_path: Path) -> None:
    uri = (tmp_path / "lake" / "sales").as_uri()
    ingest_files(f"{landing}/*.csv", "csv", uri, "run-day1", mode="append")
    ingest_files(f"{landing}/*.csv", "csv", uri, "run-day2", mode="append")
    assert ids(uri) == [1, 1, 2, 2, 3, 3]

    replaced = ingest_files(f"{landing}/*.csv", "csv", uri, "run-day3", mode="replace")
    assert replaced.rows == 3 and ids(uri) == [1, 2, 3]
    assert [Path(p).name for p in data_files(uri)] == ["current.parquet"]

    # Switching to new_files afterwards: the replaced file's record says all is ingested.
    assert ingest_files(f"{landing}/*.csv", "csv", uri, "run-day4").rows == 0
    assert ids(uri) == [1, 2, 3]


def test_the_manifest_stays_out_of_the_schema_readers_see(landing: Path, tmp_path: Path) -> None:
    uri = (tmp_path / "lake" / "sales").as_uri()
    ingest_files(f"{landing}/*.csv", "csv", uri, "run-day1")
    table = read_table(uri)
    assert MANIFEST_KEY.encode() not in (table.schema.metadata or {})
    assert table.column_names == ["id", "v", "_source_file"]


def test_a_failed_read_writes_nothing(landing: Path, tmp_path: Path) -> None:
    uri = (tmp_path / "lake" / "sales").as_uri()
    ingest_files(f"{landing}/*.csv", "csv", uri, "run-day1", mode="replace")
    (landing / "broken.csv").write_text("id,v\n9,x,one too many\n")
    with pytest.raises(FileSourceError, match=r"broken\.csv"):
        ingest_files(f"{landing}/*.csv", "csv", uri, "run-day2", mode="replace")
    assert ids(uri) == [1, 2, 3]
    with pytest.raises(FileSourceError, match="no file matches"):
        ingest_files(f"{landing}/*.json", "jsonl", uri, "run-day3", mode="replace")
    assert ids(uri) == [1, 2, 3]
