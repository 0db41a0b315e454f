"""Errors a caller can cause, each with an HTTP status, a stable code and a clear message."""

from __future__ import annotations


class MarketplaceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class Unauthorized(MarketplaceError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message, {"WWW-Authenticate": "ApiKey"})


class Forbidden(MarketplaceError):
    status, code = 403, "forbidden"


class NotFound(MarketplaceError):
    status, code = 404, "not_found"


class Conflict(MarketplaceError):
    status, code = 409, "conflict"


class InvalidInput(MarketplaceError):
    status, code = 422, "invalid_input"


class RateLimited(MarketplaceError):
    status, code = 429, "rate_limited"


class Unavailable(MarketplaceError):
    status, code = 503, "unavailable"
