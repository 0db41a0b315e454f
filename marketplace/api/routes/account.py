"""Who the caller is, and how fresh the catalog is."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from marketplace.api.deps import CurrentKey, SettingsDep, SyncDep
from marketplace.api.routes.models import ERRORS
from marketplace.schemas import KeyInfo

router = APIRouter(tags=["account"], responses=ERRORS)


class CatalogStatus(BaseModel):
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    listed: int
    changed: int
    removed: int


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
def catalog_status(_key: CurrentKey, sync: SyncDep) -> CatalogStatus:
    status = sync.status
    return CatalogStatus(
        last_success=status.last_success,
        last_error=status.last_error,
        last_error_at=status.last_error_at,
        listed=status.last_stats.listed,
        changed=status.last_stats.changed,
        removed=status.last_stats.removed,
    )
