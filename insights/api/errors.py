"""Every error answers with the same JSON body, ``{"detail": ..., "code": ...}``; a 422 lists
each wrong field as ``{"field", "message"}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from insights.errors import InsightsError
from insights.schemas import ErrorBody

MAX_MESSAGE = 2000
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_input",
    503: "unavailable",
}
_MEANINGS = {
    401: "No token, or an unknown, revoked or expired one",
    403: "The caller's role may not do this",
    404: "Unknown (or another tenant's) value definition",
    409: "The target already has a value on this basis",
    422: "Invalid input: each wrong field and what is wrong",
    503: "The lake cannot be read",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for ``statuses``, each with :class:`ErrorBody`."""
    return {s: {"model": ErrorBody, "description": _MEANINGS[s]} for s in statuses}


def _clip(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters in all)"


def _body(status: int, detail: str | list[dict[str, str]], headers=None) -> JSONResponse:
    code = CODES.get(status, "error")
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)


def _where(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "value_error":  # our validators' own words, without pydantic's prefix
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InsightsError)
    async def insights_error(_request: Request, exc: InsightsError) -> JSONResponse:
        return JSONResponse(
            {"detail": _clip(exc.message), "code": exc.code},
            status_code=exc.status,
            headers=exc.headers,
        )

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return _body(exc.status_code, _clip(detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": _clip(_where(e["loc"]), 300), "message": _clip(_message(e), 300)}
            for e in exc.errors()[:50]
        ]
        return _body(422, problems)

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, _exc: Exception) -> JSONResponse:
        return _body(500, "internal error; the insights service has logged it")
