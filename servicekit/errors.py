"""Errors a caller can cause, each with an HTTP status, a stable code and a clear message.

Every Airloom REST service raises these; :mod:`servicekit.error_handlers` turns them into the
same JSON body everywhere.
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"
    scheme = "Bearer"  # what WWW-Authenticate asks for

    def __init__(self, message: str) -> None:
        super().__init__(message, {"WWW-Authenticate": self.scheme})


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class InvalidInput(ServiceError):
    status, code = 422, "invalid_input"


class RateLimited(ServiceError):
    status, code = 429, "rate_limited"


class Unavailable(ServiceError):
    status, code = 503, "unavailable"
