"""Start background processes and stop exactly those, by pid and start time.

Each service runs in its own session (process group), so stopping it also stops the workers
it forked (Airflow's executor, uvicorn's workers) and nothing else. A pid file records the
pid with the process's start time, so a pid reused by an unrelated process is never signalled.
The start time is kept relative to boot: wall-clock start times move when the system clock is
stepped (NTP, a VM resumed), and a stack started before such a step must still stop.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil


def started_after_boot(proc: psutil.Process) -> float:
    """When ``proc`` started, in seconds after boot: unmoved by steps of the system clock."""
    return proc.create_time() - psutil.boot_time()


@dataclass(frozen=True)
class ProcessRecord:
    name: str
    pid: int
    started_after_boot: float

    def process(self) -> psutil.Process | None:
        """The live process this record describes, or None if it has gone."""
        try:
            proc = psutil.Process(self.pid)
            same = abs(started_after_boot(proc) - self.started_after_boot) < 0.01
            if same and proc.status() != psutil.STATUS_ZOMBIE:
                return proc
        except psutil.Error:
            pass
        return None

    def is_alive(self) -> bool:
        return self.process() is not None


class ProcessTable:
    """Pid files under ``run_dir``, one per service."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir

    def _path(self, name: str) -> Path:
        return self.run_dir / f"{name}.json"

    def get(self, name: str) -> ProcessRecord | None:
        try:
            data = json.loads(self._path(name).read_text())
            if "started_after_boot" not in data:  # written by a release that kept wall-clock time
                data["started_after_boot"] = data["create_time"] - psutil.boot_time()
            return ProcessRecord(name, int(data["pid"]), float(data["started_after_boot"]))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def put(self, record: ProcessRecord) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._path(record.name).with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"pid": record.pid, "started_after_boot": record.started_after_boot})
        )
        tmp.replace(self._path(record.name))

    def remove(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def all(self) -> list[ProcessRecord]:
        if not self.run_dir.is_dir():
            return []
        records = (self.get(path.stem) for path in sorted(self.run_dir.glob("*.json")))
        return [record for record in records if record is not None]


def spawn(
    name: str,
    command: Sequence[str],
    env: Mapping[str, str],
    log_file: Path,
    cwd: Path,
) -> ProcessRecord:
    """Start ``command`` detached from this terminal, appending its output to ``log_file``."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        log.write(f"\n--- airloom: starting {name}: {' '.join(command)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            list(command),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return ProcessRecord(name, proc.pid, started_after_boot(psutil.Process(proc.pid)))


def _group_members(pgid: int) -> list[psutil.Process]:
    members = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid:
                members.append(proc)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


def _members(leader: psutil.Process) -> set[psutil.Process]:
    # The group catches forked workers; descendants catch any that started a session of their own.
    members = {leader, *_group_members(leader.pid)}
    with contextlib.suppress(psutil.Error):
        members.update(leader.children(recursive=True))
    return members


def stop_all(records: Sequence[ProcessRecord], timeout: float) -> list[ProcessRecord]:
    """Stop each recorded process and its group together: SIGTERM, then SIGKILL after ``timeout``.

    Returns the records that were still running.
    """
    running = [(record, leader) for record in records if (leader := record.process())]
    members: set[psutil.Process] = set()
    for _, leader in running:
        members |= _members(leader)
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        for member in members:
            with contextlib.suppress(psutil.Error):
                member.send_signal(sig)
        _, alive = psutil.wait_procs(members, timeout=wait)
        if not alive:
            break
        members = set(alive)
    return [record for record, _ in running]


def tail(path: Path, lines: int = 30) -> str:
    try:
        with path.open(errors="replace") as handle:
            return "".join(deque(handle, maxlen=lines))
    except FileNotFoundError:
        return "(no log yet)\n"
