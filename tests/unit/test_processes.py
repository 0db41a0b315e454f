"""The stack stops exactly the processes it started, children included."""

import json
import sys
import time
from pathlib import Path

import psutil
import pytest

from airloom_cli.stack.processes import (
    ProcessRecord,
    ProcessTable,
    spawn,
    started_after_boot,
    stop_all,
)

# A parent that forks a child and both sleep: like a server with workers.
PARENT_WITH_CHILD = (
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
    "time.sleep(600)"
)


def _children(pid: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = psutil.Process(pid).children(recursive=True)
        if children:
            return children
        time.sleep(0.05)
    raise AssertionError("the child never started")


def test_stop_all_ends_the_process_and_its_workers(tmp_path: Path) -> None:
    record = spawn(
        "svc", [sys.executable, "-c", PARENT_WITH_CHILD], {}, tmp_path / "svc.log", cwd=tmp_path
    )
    child = _children(record.pid)[0]
    assert stop_all([record], timeout=10) == [record]
    assert not record.is_alive()
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE


def test_a_reused_pid_is_never_signalled(tmp_path: Path) -> None:
    bystander = psutil.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        # Same pid, different start time: a record from an earlier process that has gone.
        stale = ProcessRecord("svc", bystander.pid, started_after_boot(bystander) - 100)
        assert not stale.is_alive()
        assert stop_all([stale], timeout=1) == []
        assert bystander.is_running()
    finally:
        bystander.kill()
        bystander.wait()


@pytest.mark.skipif(sys.platform != "linux", reason="steps the clock through Linux's btime")
def test_a_stack_started_before_the_clock_was_stepped_still_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = spawn(
        "svc", [sys.executable, "-c", PARENT_WITH_CHILD], {}, tmp_path / "svc.log", cwd=tmp_path
    )
    child = _children(record.pid)[0]
    # NTP or a resumed VM steps the wall clock: every process's wall-clock start time moves.
    stepped = psutil._pslinux.boot_time() + 3600
    monkeypatch.setattr(psutil._pslinux, "boot_time", lambda: stepped)
    assert record.is_alive()
    assert stop_all([record], timeout=10) == [record]
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE


def test_a_pid_file_of_the_earlier_format_still_names_its_process(tmp_path: Path) -> None:
    me = psutil.Process()
    (tmp_path / "svc.json").write_text(json.dumps({"pid": me.pid, "create_time": me.create_time()}))
    record = ProcessTable(tmp_path).get("svc")
    assert record is not None and record.process() == me


def test_process_table_round_trip(tmp_path: Path) -> None:
    table = ProcessTable(tmp_path / "run")
    record = ProcessRecord("kafka", 1234, 99.5)
    table.put(record)
    assert table.get("kafka") == record
    assert table.all() == [record]
    table.remove("kafka")
    assert table.get("kafka") is None
