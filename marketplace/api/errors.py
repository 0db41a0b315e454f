"""Every error answers with the same JSON body: ``{"detail": ..., "code": ...}`` (ErrorBody).

A 422 lists each wrong field as ``{"field", "message"}``. Nothing here repeats more than a few
hundred characters of what the caller sent: a 5 MB value in is not 5 MB out.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from marketplace.api.responses import errors
from marketplace.errors import MarketplaceError

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


# What the deployment and endpoint routes answer when something they need is down or busy.
TARGET_DOWN = "The endpoint's target (serving process, SageMaker) cannot be asked; detail says why"
STARTS_A_DEPLOYMENT = errors(
    404,
    409,
    503,
    s409="The endpoint name is another tenant's, or a deployment to it is in flight (the "
    "detail names the run to follow); for a rollback, also: nothing to roll back to",
    s503="Airflow cannot be reached or lacks the DAG, or the target cannot say who holds the "
    "endpoint name; detail says which",
)


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters in all)"


def error_response(
    status: int, detail: str | list[dict[str, str]], headers: dict[str, str] | None = None
) -> JSONResponse:
    code = CODES.get(status, "error")
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)


def guard_error(status: int, _code: str, message: str) -> dict[str, str]:
    """The body :class:`servicekit.body_guard.BodyGuard` answers with (413, 422)."""
    return {"detail": message, "code": CODES.get(status, "error")}


def allowed_methods(request: Request) -> str:
    """Every method the request's path answers to. Starlette's own 405 names only those of the
    first route that matched the path, and a path here can have several (GET and DELETE)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MarketplaceError)
    async def marketplace_error(_request: Request, exc: MarketplaceError) -> JSONResponse:
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
                "message": clip(error["msg"], MAX_FIELD),
            }
            for error in exc.errors()[:MAX_PROBLEMS]
        ]
        return error_response(422, problems)

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, exc: Exception) -> JSONResponse:
        # Starlette logs the exception too; the caller learns only that it was ours.
        return error_response(500, "internal error; the marketplace has logged it")
