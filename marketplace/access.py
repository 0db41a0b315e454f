"""API keys (stored as servicekit's secret hash, each with a tenant and a tier), the callers
sign-in tokens make, and per-tier rate limits.

Rate limits are counted by the `limits` library (the engine under slowapi), keyed by the API
key, in whatever storage its URI names: ``memory://`` for one replica, ``redis://…`` when
several share the count.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.config import TIERS, BootstrapKey, Tier
from marketplace.errors import InvalidInput, RateLimited
from marketplace.models import ApiKey, utcnow
from servicekit.credentials import new_secret, secret_hash
from servicekit.identity import SignedIn

KEY_PREFIX = "alm_"


@dataclass(frozen=True)
class NewKey:
    key: str
    row: ApiKey


def create_key(
    session: Session, tenant: str, tier: str, name: str = "", key: str | None = None
) -> NewKey:
    """Create a key; the plain key is returned once and never stored."""
    if tier not in TIERS:
        raise InvalidInput(f"tier {tier!r} is not one of {', '.join(TIERS)}")
    if not tenant.strip():
        raise InvalidInput("tenant must not be empty")
    key = key or new_secret(KEY_PREFIX)
    row = ApiKey(key_hash=secret_hash(key), prefix=key[:12], name=name, tenant=tenant, tier=tier)
    session.add(row)
    session.flush()
    return NewKey(key=key, row=row)


def find_key(session: Session, key: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == secret_hash(key)))


def signed_in_key(person: SignedIn, tier: str) -> ApiKey:
    """A person signed in with a token, as the (never stored) key the routes take: their
    tenant, the tier signed-in people get, their user name where a key shows its name, and
    one rate-limit count per person whichever token they present."""
    return ApiKey(
        key_hash=secret_hash(f"signed-in:{person.tenant}:{person.username}"),
        prefix=f"@{person.username}"[:16],  # what audits record (16 characters)
        name=person.username,
        tenant=person.tenant,
        tier=tier,
    )


def revoke_key(session: Session, prefix: str) -> int:
    rows = session.scalars(
        select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = utcnow()
    return len(rows)


def ensure_bootstrap_keys(session: Session, keys: list[BootstrapKey]) -> None:
    """Create the configured keys that do not exist yet (idempotent across restarts)."""
    for item in keys:
        if find_key(session, item.key) is None:
            create_key(session, item.tenant, item.tier, item.name, key=item.key)
    session.commit()


class TierRateLimiter:
    def __init__(self, limits_by_tier: dict[Tier, str], storage_uri: str = "memory://") -> None:
        self.descriptions = dict(limits_by_tier)
        self.items: dict[str, list[RateLimitItem]] = {
            tier: parse_many(text) for tier, text in limits_by_tier.items()
        }
        self.strategy = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def hit(self, tier: str, identity: str) -> None:
        """Count one request; raise RateLimited (with Retry-After) past the tier's limit."""
        for item in self.items.get(tier, []):
            if not self.strategy.hit(item, "marketplace", identity):
                reset = self.strategy.get_window_stats(item, "marketplace", identity).reset_time
                retry_after = max(1, math.ceil(reset - time.time()))
                raise RateLimited(
                    f"rate limit of the {tier} tier ({item}) reached; "
                    f"retry in {retry_after} s or move to a higher tier",
                    {"Retry-After": str(retry_after)},
                )
