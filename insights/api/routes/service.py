"""What this service is and which API version it speaks."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

import airloom

router = APIRouter(tags=["service"])


class ServiceInfo(BaseModel):
    service: str
    version: str
    api_version: str


@router.get("/", response_model=ServiceInfo, summary="Service and API version")
def service_info() -> ServiceInfo:
    return ServiceInfo(service="airloom-insights", version=airloom.__version__, api_version="v1")
