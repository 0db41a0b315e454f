"""What this marketplace is and which API version it speaks."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

import airloom
from marketplace.api.responses import errors

# No key needed; a body is still refused when too large or nested too deeply.
router = APIRouter(tags=["service"], responses=errors(413, 422))


class ServiceInfo(BaseModel):
    service: str
    version: str
    api_version: str


@router.get("/", response_model=ServiceInfo, summary="Service and API version")
def service_info() -> ServiceInfo:
    return ServiceInfo(service="airloom-marketplace", version=airloom.__version__, api_version="v1")
