"""A Kafka ingestion in a process of its own, which a test can hold at a step or kill.

The processes fork from a server that has imported Airflow and Airloom once (multiprocessing's
forkserver with those modules preloaded), so each starts in milliseconds instead of the
seconds an Airflow import takes, and is still a real process that SIGKILL ends mid-step.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection
from typing import Any

PRELOAD = ["airloom.hooks.kafka", "airloom.ingest.kafka_ingestion", "pyarrow.dataset"]
POINTS = ("prepare", "write_quarantine", "half_delivered", "delivered", "done")
_context: Any = None


def _forkserver() -> Any:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def step_through(
    settings: dict[str, Any], stops: set[str], env: dict[str, str], channel: Connection
) -> None:
    """Take ``KafkaIngestion.run``'s steps one by one, saying on ``channel`` where it is.

    At each point in ``stops`` it waits until the test says to go on.
    """
    os.environ.update(env)  # the test's connections, set after the server started

    from airloom.hooks.kafka import KafkaHook
    from airloom.ingest.kafka_ingestion import IngestionSuperseded, KafkaIngestion
    from airloom.ingest.records import RecordSchema

    def reached(point: str, **facts: Any) -> None:
        channel.send({"at": point, **facts})
        if point in stops:
            channel.recv()

    settings = settings | {"record_schema": RecordSchema(settings["record_schema"])}
    with KafkaIngestion(KafkaHook(), **settings) as ingestion:
        try:
            batch = ingestion.consume()
            prepared = ingestion.prepare(batch)
            reached("prepare", consumed=len(batch.messages))
            with ingestion.lease.held("store the batch"):
                ingestion.write_quarantine(prepared)
                reached("write_quarantine")
                letters, token = prepared.quarantine_table, ingestion.lease.token
                if letters is not None:
                    half = letters.num_rows // 2
                    ingestion.outbox.deliver(token, letters.slice(0, half))
                    reached("half_delivered", delivered=half)
                    ingestion.outbox.deliver(token, letters.slice(half))
                    reached("delivered", delivered=letters.num_rows)
                    ingestion.outbox.settle(token)
                ingestion.write_valid(prepared)
                ingestion.commit(batch)
            reached("done", written=prepared.written, quarantined=len(prepared.malformed))
        except IngestionSuperseded as error:
            reached("superseded", reason=str(error))


class SteppingIngestion:
    """:func:`step_through` in its own process, stopping at each of ``stops``."""

    def __init__(self, settings: dict[str, Any], stops: set[str]) -> None:
        unknown = set(stops) - set(POINTS)
        if unknown:
            raise ValueError(f"no point {sorted(unknown)}; the points are {POINTS}")
        context = _forkserver()
        self.channel, theirs = context.Pipe()
        self.process = context.Process(
            target=step_through, args=(settings, set(stops), dict(os.environ), theirs)
        )
        self.process.start()
        theirs.close()

    def reach(self, point: str, timeout: float = 120.0) -> dict[str, Any]:
        """What the worker said at ``point`` (or where it was superseded before it)."""
        while True:
            if not self.channel.poll(timeout):
                raise AssertionError(f"worker did not reach {point} in {timeout:g} s")
            try:
                said = self.channel.recv()
            except EOFError:
                self.process.join(10)
                raise AssertionError(
                    f"worker ended (exit {self.process.exitcode}) before {point}"
                ) from None
            if said["at"] in (point, "superseded"):
                return said

    def resume(self) -> None:
        self.channel.send("go on")

    def kill(self) -> None:
        """SIGKILL, wherever it is."""
        self.process.kill()
        self.process.join(30)

    def finish(self, timeout: float = 60.0) -> int | None:
        self.process.join(timeout)
        return self.process.exitcode
