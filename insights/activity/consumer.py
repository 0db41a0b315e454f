"""The activity consumer: a background thread of the service that lands ``airloom.activity``
continuously, in small batches, so an event is in the views within seconds.

Each batch is one :meth:`ActivityIngestion.run` (exactly once, see
:mod:`insights.activity.landing`). A restart starts from the committed offsets, and records a
crashed batch wrote but did not commit are dropped when read again; two consumers (two
replicas) take the lease from each other and neither lands a record twice.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass

import structlog
from prometheus_client import Counter, Gauge

from airloom.ingest.kafka_ingestion import IngestionSuperseded, IngestSummary
from insights.activity.kafka_clients import KafkaClients
from insights.activity.landing import ActivityIngestion, activity_ingestion
from insights.core.config import Settings

log = structlog.get_logger()

LANDED = Counter("airloom_insights_activity_landed_total", "Activity events written to the lake")
QUARANTINED = Counter(
    "airloom_insights_activity_quarantined_total", "Activity events that do not fit the contract"
)
FAILURES = Counter("airloom_insights_activity_batch_failures_total", "Batches that failed")
LAST_BATCH = Gauge(
    "airloom_insights_activity_last_batch_timestamp_seconds", "When the last batch was landed"
)
RETRY_SECONDS = 2.0  # after a failed batch: the broker restarting, the lake briefly unwritable
# After another replica took the lease: it lands meanwhile; this one takes over again later
# (the lease has no heartbeat, so a replica that died is replaced this way).
SUPERSEDED_PAUSE_SECONDS = 10.0


@dataclass
class ConsumerStatus:
    batches: int = 0
    landed: int = 0
    quarantined: int = 0
    last_error: str | None = None  # cleared by the next batch that succeeds
    last_batch_at: float | None = None


class ActivityConsumer:
    """Runs batches until stopped; :meth:`run_once` runs one (tests, the CLI)."""

    def __init__(self, settings: Settings, clients: KafkaClients | None = None) -> None:
        self.settings = settings
        self.clients = clients or KafkaClients(
            settings.kafka_bootstrap_servers, settings.kafka_config
        )
        self.status = ConsumerStatus()
        self.label = f"insights consumer pid {os.getpid()} on {socket.gethostname()}"
        self._ingestion: ActivityIngestion | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, name="airloom-insights-activity", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the batch in progress (never half-way: a batch is landed or not)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run_once(self) -> IngestSummary:
        if self._ingestion is None:
            self.clients.ensure_topic(self.settings.activity_topic)
            self._ingestion = activity_ingestion(self.settings, self.clients, self.label)
        summary = self._ingestion.run()
        self._record(summary)
        return summary

    def check(self) -> dict[str, str]:
        """For ``/healthz``: raises while batches fail, saying why."""
        if self._thread is not None and not self.running:
            raise RuntimeError("the activity consumer has stopped")
        if self.status.last_error:
            raise RuntimeError(f"landing activity fails: {self.status.last_error}")
        return {}

    def _record(self, summary: IngestSummary) -> None:
        status = self.status
        status.batches += 1
        status.landed += summary.written
        status.quarantined += summary.quarantined
        status.last_error = None
        status.last_batch_at = time.time()
        LANDED.inc(summary.written)
        QUARANTINED.inc(summary.quarantined)
        LAST_BATCH.set(status.last_batch_at)
        if summary.written or summary.quarantined:
            log.info("activity landed", **summary.as_dict())

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                summary = self.run_once()
            except IngestionSuperseded as error:
                # Another consumer (a second replica) took over; it lands what this one read.
                log.info("activity consumer superseded", reason=str(error))
                self._close()
                self._stop.wait(SUPERSEDED_PAUSE_SECONDS)
                continue
            except Exception as error:  # noqa: BLE001 - a batch failing must not end the thread
                FAILURES.inc()
                self.status.last_error = str(error)[:500]
                log.warning("activity batch failed", error=str(error))
                self._close()
                self._stop.wait(RETRY_SECONDS)
                continue
            if summary.consumed == 0:
                self._stop.wait(self.settings.consume_idle_seconds)
        self._close()

    def _close(self) -> None:
        ingestion, self._ingestion = self._ingestion, None
        if ingestion is not None:
            ingestion.close()
