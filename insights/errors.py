"""The insights service's errors: servicekit's (tokens are Bearer tokens)."""

from __future__ import annotations

from servicekit.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
    Unavailable,
)
from servicekit.errors import ServiceError as InsightsError

__all__ = [
    "Conflict",
    "Forbidden",
    "InsightsError",
    "InvalidInput",
    "NotFound",
    "Unauthorized",
    "Unavailable",
]
