"""The marketplace's errors: servicekit's, with API keys named in WWW-Authenticate."""

from __future__ import annotations

from servicekit import errors
from servicekit.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unavailable,
)
from servicekit.errors import ServiceError as MarketplaceError


class Unauthorized(errors.Unauthorized):
    scheme = "ApiKey"


__all__ = [
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "MarketplaceError",
    "NotFound",
    "RateLimited",
    "Unauthorized",
    "Unavailable",
]
