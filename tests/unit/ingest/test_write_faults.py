"""A write that dies halfway leaves the dataset as it was, and the next run repairs it exactly.

The ingestion runs in a child process whose file-size limit (``RLIMIT_FSIZE``) is smaller than
the batch it writes, so the kernel stops it in the middle of writing the Parquet file: with
``SIGXFSZ`` (the process is killed on the spot, as a worker losing its node would be) or, with
that signal ignored, with ``EFBIG`` raised from the write (a full disk or quota looks the same).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from airloom.datasets import data_files, read_table
from airloom.ingest.file_ingestion import ingest_files

LIMIT_BYTES = 256 * 1024
BIG_ROWS = 40_000  # ~1.4 MB of incompressible text: far past the limit once written
CHILD = """
import resource, signal, sys
from airloom.ingest.file_ingestion import ingest_files
source, uri, batch, mode, limit, on_limit = sys.argv[1:]
# Python ignores SIGXFSZ at start-up (the write then fails with EFBIG); "killed" restores the
# default, under which the kernel kills the process at the write that crosses the limit.
signal.signal(signal.SIGXFSZ, signal.SIG_DFL if on_limit == "killed" else signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
ingest_files(source, "csv", uri, batch, mode=mode)
"""


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "a_small.csv").write_text("id,payload\n1,x\n2,y\n3,z\n")
    return folder


def add_big_file(folder: Path) -> None:
    ids = pa.array(range(100, 100 + BIG_ROWS))
    payload = pa.array([os.urandom(16).hex() for _ in range(BIG_ROWS)])
    pa_csv.write_csv(pa.table({"id": ids, "payload": payload}), folder / "b_big.csv")


def crash_while_ingesting(source: str, uri: str, batch: str, mode: str, on_limit: str):
    return subprocess.run(
        [sys.executable, "-c", CHILD, source, uri, batch, mode, str(LIMIT_BYTES), on_limit],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("mode", "on_limit"),
    [("new_files", "killed"), ("replace", "killed"), ("append", "killed"), ("replace", "raise")],
)
def test_a_write_stopped_halfway_changes_nothing_and_the_rerun_adds_each_row_once(
    landing: Path, tmp_path: Path, mode: str, on_limit: str
) -> None:
    dataset = tmp_path / "lake" / "events"
    uri, source = dataset.as_uri(), f"{landing}/*.csv"
    ingest_files(source, "csv", uri, "run-day1", mode=mode)
    before_files, before_rows = data_files(uri), read_table(uri).to_pylist()
    add_big_file(landing)

    crashed = crash_while_ingesting(source, uri, "run-day2", mode, on_limit)

    if on_limit == "killed":
        assert crashed.returncode == -signal.SIGXFSZ, crashed.stderr
    else:
        assert crashed.returncode == 1 and "File too large" in crashed.stderr, crashed.stderr
    leftovers = [p.name for p in dataset.iterdir() if p.name.endswith(".tmp")]
    assert leftovers, "the child must have died while writing its batch"
    assert data_files(uri) == before_files
    assert read_table(uri).to_pylist() == before_rows  # not a row more, none lost

    # The task is retried (same run, same batch name), then cleared and rerun once more.
    for _ in range(2):
        ingest_files(source, "csv", uri, "run-day2", mode=mode)
        ids = read_table(uri)["id"].to_pylist()
        expected = 3 + BIG_ROWS + (3 if mode == "append" else 0)
        assert len(ids) == expected
        if mode != "append":
            assert len(set(ids)) == len(ids)  # each row once
    assert not [p for p in dataset.iterdir() if p.name.endswith(".tmp")]
