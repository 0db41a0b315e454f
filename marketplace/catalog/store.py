"""Write catalog records into the database, keeping the search index and metric rows in step."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from airloom import model_tags
from marketplace.catalog.records import ListingRecord, VersionRecord, user_tags
from marketplace.models import Listing, ListingMetric, ListingVersion, utcnow
from marketplace.search import fulltext


def _apply_version(row: ListingVersion, record: VersionRecord) -> None:
    for field in (
        "status",
        "description",
        "run_id",
        "source",
        "model_id",
        "tags",
        "aliases",
        "flavors",
        "framework",
        "signature",
        "input_example",
        "size_bytes",
        "metrics",
        "params",
        "lineage",
        "details_error",
        "fingerprint",
    ):
        setattr(row, field, getattr(record, field))
    row.validation = record.validation
    row.benchmark = record.benchmark
    row.mlflow_created_at = record.created_at
    row.mlflow_updated_at = record.updated_at


def _search_tags(record: ListingRecord, framework: str | None) -> str:
    # Only what people wrote is searched: a deployment record's JSON would match anything.
    free = [f"{key} {value}" for key, value in user_tags(record.tags).items()]
    parts = [record.task, record.industry, framework, record.licence, record.owner, *free]
    return fulltext.split_identifier(" ".join(part for part in parts if part))


def upsert_listing(
    session: Session,
    record: ListingRecord,
    keep_versions: Collection[int] = (),
    existing: Listing | None = None,
) -> Listing:
    """Insert or update one listing and its versions; versions not in ``record.versions`` or
    ``keep_versions`` (unchanged, left as stored) are removed."""
    listing = existing or session.scalar(
        select(Listing).where(Listing.name == record.name).options(selectinload(Listing.versions))
    )
    if listing is None:
        listing = Listing(name=record.name)
        session.add(listing)
    rows = {row.version: row for row in listing.versions}
    wanted = {version.version for version in record.versions} | set(keep_versions)
    for number in set(rows) - wanted:
        listing.versions.remove(rows.pop(number))
    for version in record.versions:
        row = rows.get(version.version)
        if row is None:
            row = ListingVersion(version=version.version)
            listing.versions.append(row)
            rows[version.version] = row
        _apply_version(row, version)
    for number, row in rows.items():
        aliases = sorted(alias for alias, target in record.aliases.items() if target == number)
        if row.aliases != aliases:
            row.aliases = aliases

    headline_number = _headline(record.aliases, set(rows))
    headline = rows.get(headline_number) if headline_number is not None else None
    listing.tenant = record.tenant
    listing.description = record.description
    listing.task, listing.industry = record.task, record.industry
    listing.licence, listing.owner = record.licence, record.owner
    listing.tags = user_tags(record.tags)
    listing.aliases = dict(record.aliases)
    listing.latest_version = max(rows) if rows else None
    listing.headline_version = headline_number
    listing.framework = headline.framework if headline else None
    listing.metrics = dict(headline.metrics) if headline else {}
    listing.search_name = fulltext.split_identifier(record.name)
    listing.search_tags = _search_tags(record, listing.framework)
    listing.mlflow_created_at, listing.mlflow_updated_at = record.created_at, record.updated_at
    listing.fingerprint = record.fingerprint
    listing.synced_at = utcnow()
    _replace_metrics(listing, listing.metrics)
    session.flush()
    fulltext.index_listing(session, listing)
    return listing


def _headline(aliases: dict[str, int], numbers: set[int]) -> int | None:
    champion = aliases.get(model_tags.CHAMPION_ALIAS)
    if champion in numbers:
        return champion
    return max(numbers) if numbers else None


def _replace_metrics(listing: Listing, metrics: dict[str, Any]) -> None:
    current = {row.key: row for row in listing.metric_values}
    for key in set(current) - set(metrics):
        listing.metric_values.remove(current.pop(key))
    for key, value in metrics.items():
        if not isinstance(value, int | float):
            continue
        if key in current:
            current[key].value = float(value)
        else:
            listing.metric_values.append(ListingMetric(key=key, value=float(value)))


def delete_listing(session: Session, listing: Listing) -> None:
    fulltext.unindex_listing(session, listing.id)
    session.delete(listing)
