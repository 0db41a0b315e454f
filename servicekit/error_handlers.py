"""Every error answers with the same JSON body: ``{"detail": ..., "code": ...}``.

A 422 lists each wrong field as ``{"field", "message"}``. Nothing here repeats more than a few
hundred characters of what the caller sent: a 5 MB value in is not 5 MB out.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from servicekit.errors import ServiceError

MAX_MESSAGE = 2000  # characters of an error message, which may quote the caller's input
MAX_FIELD = 300  # characters of a field's path, which may hold a JSON key the caller chose
MAX_PROBLEMS = 50  # wrong fields listed in one answer

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    503: "unavailable",
}


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters in all)"


def error_response(
    status: int, detail: str | list[dict[str, str]], headers: dict[str, str] | None = None
) -> JSONResponse:
    code = CODES.get(status, "error")
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)


def allowed_methods(request: Request) -> str:
    """Every method the request's path answers to. Starlette's own 405 names only those of the
    first route that matched the path, and a path can have several (GET and DELETE)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def field_message(error: dict[str, Any]) -> str:
    """A validation error's words; a validator's own message without pydantic's prefix."""
    if error["type"] == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def install_error_handlers(app: FastAPI, service: str) -> None:
    """Answer every error ``app`` raises with the common body; ``service`` names it in a 500."""

    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse(
            {"detail": clip(exc.message), "code": exc.code},
            status_code=exc.status,
            headers=exc.headers,
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return error_response(exc.status_code, clip(detail), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": clip(".".join(str(part) for part in error["loc"]), MAX_FIELD),
                "message": clip(field_message(error), MAX_FIELD),
            }
            for error in exc.errors()[:MAX_PROBLEMS]
        ]
        return error_response(422, problems)

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, _exc: Exception) -> JSONResponse:
        # Starlette logs the exception too; the caller learns only that it was ours.
        return error_response(500, f"internal error; {service} has logged it")
