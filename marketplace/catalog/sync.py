"""Keep the catalog in step with MLflow's registry.

Every cycle lists all registered models and versions (two paged calls) and compares their
fingerprints (timestamps, tags, aliases, descriptions) with what is stored: only new or changed
versions are read in detail (MLmodel, training run), deleted models and versions disappear.
MLflow does not bump any timestamp when a tag or alias changes, which is why fingerprints and
not ``last_updated_timestamp`` alone decide. A periodic full pass re-reads every version
(e.g. metrics logged to a run after registration).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from marketplace.catalog.records import fingerprint
from marketplace.catalog.registry import MlflowRegistry
from marketplace.catalog.store import delete_listing, upsert_listing
from marketplace.models import Listing

log = structlog.get_logger()


@dataclass
class SyncStats:
    listed: int = 0
    changed: int = 0
    versions_read: int = 0
    removed: int = 0
    full: bool = False
    # The same counts per tenant: a tenant is shown only its own.
    changed_by_tenant: Counter[str] = field(default_factory=Counter)
    removed_by_tenant: Counter[str] = field(default_factory=Counter)


@dataclass
class SyncStatus:
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_stats: SyncStats = field(default_factory=SyncStats)


class CatalogSync:
    def __init__(
        self,
        session_factory: sessionmaker,
        registry: MlflowRegistry,
        full_every_seconds: float = 300.0,
    ) -> None:
        self.session_factory = session_factory
        self.registry = registry
        self.full_every_seconds = full_every_seconds
        self.status = SyncStatus()
        self._last_full = 0.0
        # One pass at a time per process: the background task and an on-demand refresh
        # would otherwise insert the same new version twice.
        self._lock = threading.Lock()

    def run_once(self, full: bool | None = None) -> SyncStats:
        if full is None:
            full = time.monotonic() - self._last_full >= self.full_every_seconds
        try:
            with self._lock:
                stats = self._sync(full)
        except Exception as exc:
            self.status.last_error = f"{type(exc).__name__}: {exc}"
            self.status.last_error_at = datetime.now(UTC)
            raise
        if full:
            self._last_full = time.monotonic()
        self.status.last_success = datetime.now(UTC)
        self.status.last_stats = stats
        return stats

    def _sync(self, full: bool) -> SyncStats:
        snapshot = self.registry.snapshot()
        stats = SyncStats(listed=len(snapshot.models), full=full)
        with self.session_factory() as session:
            stored = {
                listing.name: listing
                for listing in session.scalars(
                    select(Listing).options(selectinload(Listing.versions))
                )
            }
            for registered in snapshot.models:
                listing = stored.pop(registered.name, None)
                versions = snapshot.versions.get(registered.name, [])
                self._sync_model(session, registered, versions, listing, full, stats)
            for gone in stored.values():
                stats.removed_by_tenant[gone.tenant] += 1
                delete_listing(session, gone)
                stats.removed += 1
            session.commit()
        if stats.changed or stats.removed:
            log.info(
                "catalog synced",
                listed=stats.listed,
                changed=stats.changed,
                versions_read=stats.versions_read,
                removed=stats.removed,
                full=stats.full,
            )
        return stats

    def _sync_model(self, session, registered, versions, listing, full, stats) -> None:  # type: ignore[no-untyped-def]
        registry = self.registry
        by_version: dict[int, list[str]] = {}
        for alias, number in registry.aliases_of(registered).items():
            by_version.setdefault(number, []).append(alias)
        labels = {int(v.version): by_version.get(int(v.version), []) for v in versions}
        version_prints = {
            int(v.version): registry.version_fingerprint(v, labels[int(v.version)])
            for v in versions
        }
        listing_print = fingerprint(
            registered.name,
            registered.description,
            registered.tags,
            registry.aliases_of(registered),
            registered.last_updated_timestamp,
            sorted(version_prints.items()),
        )
        if listing is not None and not full and listing.fingerprint == listing_print:
            return
        stored = {row.version: row for row in listing.versions} if listing else {}
        records, keep = [], []
        for version in versions:
            number = int(version.version)
            row = stored.get(number)
            if (
                row is not None
                and not full
                and row.details_error is None
                and row.fingerprint == version_prints[number]
            ):
                keep.append(number)
                continue
            records.append(registry.version_record(version, labels[number]))
            stats.versions_read += 1
        record = registry.listing_record(registered, records)
        record.fingerprint = listing_print
        upsert_listing(session, record, keep_versions=keep, existing=listing)
        stats.changed += 1
        stats.changed_by_tenant[record.tenant] += 1

    def refresh_model(self, name: str) -> bool:
        """Re-read one model now (after a validation run, say); False if MLflow lost it."""
        found = self.registry.model(name)
        with self._lock, self.session_factory() as session:
            listing = session.scalar(
                select(Listing).where(Listing.name == name).options(selectinload(Listing.versions))
            )
            if found is None:
                if listing is not None:
                    delete_listing(session, listing)
                    session.commit()
                return False
            registered, versions = found
            self._sync_model(session, registered, versions, listing, True, SyncStats())
            session.commit()
        return True


async def sync_forever(sync: CatalogSync, interval: float) -> None:
    """The app's background task: one cycle every ``interval`` seconds, errors logged."""
    while True:
        try:
            await asyncio.to_thread(sync.run_once)
        except Exception as exc:  # noqa: BLE001 - MLflow may be down for a while; keep going
            log.warning("catalog sync failed", error=str(exc))
        await asyncio.sleep(interval)


def stored_names(session: Session) -> list[str]:
    return list(session.scalars(select(Listing.name).order_by(Listing.name)))
