"""The insights service's FastAPI app: ``uvicorn --factory insights.app:create_app``.

At startup (lifespan), before it serves, it migrates its database with servicekit's runner
(off with ``AIRLOOM_INSIGHTS_MIGRATE_ON_STARTUP=false``), creates the bootstrap API tokens,
loads the environment's rates file, and starts the activity consumer, which lands
``airloom.activity`` in the lake until the service stops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import text

import airloom
from insights.access import ensure_bootstrap_tokens
from insights.activity.consumer import ActivityConsumer
from insights.api import insights_routes, report_routes
from insights.api.errors import install_error_handlers
from insights.api.params import single_valued_query
from insights.api.routes import figures, questions, service, values
from insights.core.config import Settings, get_settings
from insights.core.db import MIGRATIONS, make_engine, session_factory
from insights.readmodel.rates import load_rates
from insights.readmodel.views import ReadModel
from servicekit import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    rates = load_rates(settings.rates_environment)  # a bad rates file stops the start
    consumer = ActivityConsumer(settings)

    def database_check() -> dict[str, str]:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {}

    checks = {"database": database_check}
    if settings.consume_enabled:
        checks["activity_consumer"] = consumer.check
    app = create_service_app(
        name="insights",
        title="Airloom insights",
        version=airloom.__version__,
        description=(
            "What each workflow, model and endpoint costs and returns: KPIs, ROI and value "
            "definitions over the platform's activity. Authenticate with "
            "'Authorization: Bearer <API token or sign-in token>'."
        ),
        checks=checks,
        log_level=settings.log_level,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.read_model = ReadModel(settings.activity_uri, rates)
    app.state.activity_consumer = consumer
    app.router.lifespan_context = _lifespan
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(single_valued_query)])
    for module in (service, values, figures, report_routes, insights_routes, questions):
        api.include_router(module.router)
    app.include_router(api)
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if settings.migrate_on_startup:
        await asyncio.to_thread(MIGRATIONS.upgrade, app.state.engine)
    if settings.bootstrap_tokens:
        with app.state.session_factory() as session:
            ensure_bootstrap_tokens(session, settings.bootstrap_tokens)
    consumer: ActivityConsumer = app.state.activity_consumer
    if settings.consume_enabled:
        consumer.start()
    try:
        yield
    finally:
        await asyncio.to_thread(consumer.stop)
        app.state.engine.dispose()
