"""The marketplace's FastAPI app: `uvicorn marketplace.main:app`.

At startup (lifespan), before it serves, it migrates the database with servicekit's runner
(``alembic upgrade head``; a database already current is left alone; off with
``AIRLOOM_MARKETPLACE_MIGRATE_ON_STARTUP=false``), creates the bootstrap API keys, and starts
the background task that mirrors MLflow's registry into the catalog every
``AIRLOOM_MARKETPLACE_SYNC_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from functools import cache

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import text

import airloom
from marketplace.access import TierRateLimiter, ensure_bootstrap_keys
from marketplace.api.errors import guard_error, install_error_handlers
from marketplace.api.params import single_valued_query
from marketplace.api.routes import (
    account,
    checks,
    compare,
    deployments,
    endpoints,
    models,
    service,
)
from marketplace.catalog.registry import MlflowRegistry
from marketplace.catalog.sync import CatalogSync, sync_forever
from marketplace.core.config import Settings, get_settings
from marketplace.core.db import MIGRATIONS, make_engine, session_factory
from servicekit import create_service_app
from servicekit.activity import ApiCallActivity
from servicekit.airflow_client import airflow_client
from servicekit.body_guard import BodyGuard

INVOCATIONS = r"^/api/v1/endpoints/[^/]+/invocations$"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    registry = MlflowRegistry(settings.mlflow_tracking_uri)

    def database_check() -> dict[str, str]:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {}

    def mlflow_check() -> dict[str, str]:
        registry.ping()
        return {}

    app = create_service_app(
        name="marketplace",
        title="Airloom model marketplace",
        version=airloom.__version__,
        description=(
            "Discover, compare, validate, benchmark and deploy models from MLflow's registry. "
            "Authenticate with an API key in the `X-API-Key` header."
        ),
        checks={"database": database_check, "mlflow": mlflow_check},
        log_level=settings.log_level,
    )
    sessions = session_factory(engine)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = sessions
    app.state.registry = registry
    app.state.catalog_sync = CatalogSync(sessions, registry, settings.full_sync_seconds)
    app.state.rate_limiter = TierRateLimiter(settings.rate_limits, settings.rate_limit_storage_uri)
    app.state.airflow = cache(airflow_client)  # built on first use, from AIRLOOM_AIRFLOW_*
    app.router.lifespan_context = _lifespan
    install_error_handlers(app)
    # One api_call activity event per request with a key or token (servicekit.activity).
    app.add_middleware(ApiCallActivity, service="marketplace")
    app.add_middleware(
        BodyGuard,
        max_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
        path_limits={INVOCATIONS: settings.max_invocation_bytes},
        render=guard_error,
    )
    if settings.cors_origins:
        # Studio calls from the builder's origin with a bearer token (no cookies); outermost,
        # so a preflight is answered before the body guard and every answer carries the headers.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
            max_age=600,
        )
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(single_valued_query)])
    for module in (service, account, models, compare, checks, deployments, endpoints):
        api.include_router(module.router)
    app.include_router(api)
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if settings.migrate_on_startup:
        await asyncio.to_thread(MIGRATIONS.upgrade, app.state.engine)
    if settings.bootstrap_keys:
        with app.state.session_factory() as session:
            ensure_bootstrap_keys(session, settings.bootstrap_keys)
    task = None
    if settings.sync_enabled:
        task = asyncio.create_task(sync_forever(app.state.catalog_sync, settings.sync_seconds))
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if getattr(app.state, "targets", None) is not None:
            await app.state.targets.aclose()  # the pooled connections to the serving process
        app.state.engine.dispose()


app = create_app()
