"""A FastAPI app with the endpoints every Airloom service carries."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_fastapi_instrumentator import Instrumentator
from pydantic import BaseModel, Field

from servicekit.logging import configure_logging

HealthCheck = Callable[[], dict[str, str]]


class Health(BaseModel):
    status: str = Field(description="ok, or degraded when a check fails")
    service: str
    version: str
    checks: dict[str, str] = Field(description='Each check: "ok" or "failing: <why>"')


def create_service_app(
    *,
    name: str,
    title: str,
    version: str,
    description: str,
    checks: dict[str, HealthCheck] | None = None,
    log_level: str = "INFO",
) -> FastAPI:
    """Build the app with ``/healthz`` (liveness and dependency checks) and ``/metrics``.

    :param checks: named callables that raise when a dependency the service needs is down.
    """
    configure_logging(name, log_level)
    log = structlog.get_logger()
    app = FastAPI(title=title, version=version, description=description)

    @app.get(
        "/healthz",
        tags=["operations"],
        summary="Liveness and dependency health",
        response_model=Health,
        responses={503: {"model": Health, "description": "A dependency check is failing"}},
    )
    def healthz() -> JSONResponse:
        results: dict[str, str] = {}
        for check_name, check in (checks or {}).items():
            try:
                check()
                results[check_name] = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure makes the service unhealthy
                log.warning("health check failed", check=check_name, error=str(exc))
                results[check_name] = f"failing: {exc}"
        healthy = all(value == "ok" for value in results.values())
        body = {
            "status": "ok" if healthy else "degraded",
            "service": name,
            "version": version,
            "checks": results,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    Instrumentator(excluded_handlers=["/metrics", "/healthz"]).instrument(app).expose(
        app, endpoint="/metrics", include_in_schema=False
    )
    log.info("service configured", title=title, version=version)
    return app
