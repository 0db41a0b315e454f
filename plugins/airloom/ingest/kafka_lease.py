"""Which run may change a dataset's ingestion of a topic: the newest run to take it.

Each run takes a lease before it reads: a record ``<sequence>-<token>.json``, one sequence
number higher than any before it, in ``<dataset>/_airloom_kafka/<topic>/leases/``. The
highest record holds the lease. Before every change (a file written, dead letters sent,
offsets committed) a run checks that it still holds it; a run that finds a newer lease has
been superseded, changes nothing more and fails with :class:`IngestionSuperseded`. Newest
wins, so a run stuck in a dead or paused worker never blocks the next one.

On a local lake the check and the change it guards are one step: both happen under the
dataset's lock (``flock`` on ``<dataset>/_airloom_kafka/lock``, released by the kernel when
its process ends however it ends), and taking a lease needs the same lock. A run that
passed its check has finished its change before a newer run can take the lease and look at
the dataset, so the newer run sees everything the older one wrote. S3 has no such lock: there
the check and the change are separate steps, and a run paused between them (for longer than
the newer run takes to read its batch) could still write; Airflow's one-task-at-a-time limit
(``max_active_tis_per_dag``) keeps runs of one task apart there.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from airloom.ingest.bookkeeping import Bookkeeping, LockTimeout
from airloom.ingest.kafka_rows import IngestionError

BOOKKEEPING = "_airloom_kafka"
LOCK_TIMEOUT_SECONDS = 300.0  # changes under the lock take seconds; delivery waits at most 60 s


class IngestionSuperseded(IngestionError):
    """A newer run took the dataset over: this run stopped before changing anything more."""


def _sequence(name: str) -> int:
    head = name.split("-", 1)[0]
    return int(head) if head.isdigit() else -1


class IngestionLease:
    """The lease on ingesting ``topic`` into ``dataset_uri``; see the module docstring.

    :param holder: what the lease's record says about its run (an Airflow task instance),
        so that a superseded run can say who took over.
    """

    def __init__(
        self,
        dataset_uri: str,
        topic: str,
        holder: str = "",
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
    ) -> None:
        self.dataset_uri = dataset_uri
        self.topic = topic
        self.bookkeeping = Bookkeeping(dataset_uri, BOOKKEEPING)
        self.records = self.bookkeeping.child(topic, "leases")
        self.holder = holder or f"pid {os.getpid()} on {socket.gethostname()}"
        self.lock_timeout = lock_timeout
        self.token = uuid.uuid4().hex[:12]  # unique to this run: in its file names too
        self.name: str | None = None
        self._depth = 0  # how many ``held`` blocks this run is in: the lock is taken once

    def take(self) -> None:
        """Take the lease from whichever run held it, which thereby stops changing anything."""
        with self._locked():
            names = self.records.names()
            sequence = max((_sequence(name) for name in names), default=0) + 1
            self.name = f"{sequence:012d}-{self.token}.json"
            self.records.write(
                self.name,
                {
                    "holder": self.holder,
                    "token": self.token,
                    "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
                },
            )
            for older in names:  # the newest record alone decides; older ones are history
                self.records.remove(older)

    @contextlib.contextmanager
    def held(self, change: str) -> Iterator[None]:
        """Make ``change`` only while holding the lease (and, locally, the dataset's lock).

        :raises IngestionSuperseded: when a newer run has taken the lease.
        """
        with self._locked():
            self.check(change)
            yield

    def check(self, change: str) -> None:
        if self.name is None:
            raise IngestionError(f"cannot {change} before taking the lease on {self.topic!r}")
        newest = max(self.records.names(), key=lambda name: (_sequence(name), name), default="")
        if newest == self.name:
            return
        record = self.records.read(newest) if newest else None
        by = (
            f"{record.get('holder')} (at {record.get('taken_at')})"
            if record
            else "a run whose lease record is gone"
        )
        raise IngestionSuperseded(
            f"stopped before it could {change}: {by} took over ingesting {self.topic!r} into "
            f"{self.dataset_uri}. This run wrote and committed nothing more; the records it "
            "read but did not store are ingested by that run or the next"
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with contextlib.ExitStack() as lock:
            try:
                lock.enter_context(self.bookkeeping.locked(self.lock_timeout))
            except LockTimeout as error:
                raise IngestionError(f"cannot change {self.dataset_uri}: {error}") from error
            self._depth = 1
            try:
                yield
            finally:
                self._depth = 0
