"""Who the caller is, and how fresh the caller's part of the catalog is."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from marketplace.api.deps import CurrentKey, SessionDep, SettingsDep, SyncDep
from marketplace.api.responses import COMMON
from marketplace.models import Listing
from marketplace.schemas import KeyInfo, UtcDateTime

router = APIRouter(tags=["account"], responses=COMMON)


class CatalogStatus(BaseModel):
    """The catalog sync's health, with figures about the caller's tenant only."""

    last_success: UtcDateTime | None
    last_error: str | None = Field(description="That the last failed pass failed, and how")
    last_error_at: UtcDateTime | None
    listed: int = Field(description="The tenant's models in the catalog now")
    changed: int = Field(description="The tenant's models the last pass added or updated")
    removed: int = Field(description="The tenant's models the last pass removed")


@router.get("/me", response_model=KeyInfo, summary="The calling API key: tenant, tier, limit")
def me(key: CurrentKey, settings: SettingsDep) -> KeyInfo:
    return KeyInfo(
        prefix=key.prefix,
        name=key.name,
        tenant=key.tenant,
        tier=key.tier,
        rate_limit=settings.rate_limits.get(key.tier, ""),  # type: ignore[call-overload]
    )


@router.get("/catalog/status", response_model=CatalogStatus, summary="Catalog sync health")
def catalog_status(key: CurrentKey, session: SessionDep, sync: SyncDep) -> CatalogStatus:
    status = sync.status
    listed = session.scalar(select(func.count()).where(Listing.tenant == key.tenant)) or 0
    # The error's text may name another tenant's model or an internal address: the log has it.
    kind = status.last_error.split(":", 1)[0] if status.last_error else None
    return CatalogStatus(
        last_success=status.last_success,
        last_error=f"the last sync pass failed ({kind}); the marketplace's log says why"
        if kind
        else None,
        last_error_at=status.last_error_at,
        listed=listed,
        changed=status.last_stats.changed_by_tenant[key.tenant],
        removed=status.last_stats.removed_by_tenant[key.tenant],
    )
