"""Read one tenant's listings and versions; another tenant's look exactly like missing ones."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from marketplace.errors import NotFound
from marketplace.models import Listing, ListingVersion


def get_listing(session: Session, tenant: str, name: str) -> Listing:
    """The listing ``name`` if ``tenant`` may see it; 404 otherwise (never 403, so a caller
    cannot probe which models other tenants have)."""
    listing = session.scalar(
        select(Listing).where(Listing.name == name).options(selectinload(Listing.versions))
    )
    if listing is None or listing.tenant != tenant:
        raise NotFound(f"model {name!r} not found")
    return listing


def get_version(session: Session, tenant: str, name: str, version: int) -> ListingVersion:
    listing = get_listing(session, tenant, name)
    for row in listing.versions:
        if row.version == version:
            return row
    known = ", ".join(str(row.version) for row in listing.versions) or "none"
    raise NotFound(f"model {name!r} has no version {version} (versions: {known})")
