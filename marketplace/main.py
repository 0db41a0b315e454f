"""The marketplace's FastAPI app: `uvicorn marketplace.main:app`."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

import airloom
from marketplace.api.routes import service
from marketplace.core.config import get_settings
from servicekit import create_service_app


def create_app() -> FastAPI:
    settings = get_settings()
    app = create_service_app(
        name="marketplace",
        title="Airloom model marketplace",
        version=airloom.__version__,
        description="Discover, compare, validate, benchmark and deploy models.",
        log_level=settings.log_level,
    )
    api = APIRouter(prefix="/api/v1")
    api.include_router(service.router)
    app.include_router(api)
    return app


app = create_app()
