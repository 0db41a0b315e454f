"""Errors a caller can cause, each with an HTTP status, a stable code and a clear message."""

from __future__ import annotations


class InsightsError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class Unauthorized(InsightsError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message, {"WWW-Authenticate": "Bearer"})


class Forbidden(InsightsError):
    status, code = 403, "forbidden"


class NotFound(InsightsError):
    status, code = 404, "not_found"


class Conflict(InsightsError):
    status, code = 409, "conflict"


class InvalidInput(InsightsError):
    status, code = 422, "invalid_input"


class Unavailable(InsightsError):
    status, code = 503, "unavailable"
