"""The error responses routes declare in OpenAPI: every one has the body :class:`ErrorBody`."""

from __future__ import annotations

from typing import Any

from marketplace.schemas import ErrorBody

_MEANINGS = {
    400: "The request is not what this route reads",
    401: "No API key, or an unknown or revoked one",
    403: "The key's tier may not do this",
    404: "Unknown (or another tenant's) model, version, endpoint or run",
    409: "Conflicts with what is in flight or taken",
    413: "The request body is larger than the limit",
    422: "Invalid input: each wrong field and what is wrong, or JSON nested too deeply",
    415: "The body's content type is not one this route reads",
    429: "The rate limit of the key's tier is reached; see Retry-After",
    502: "A service this relays to failed to answer",
    503: "A service this needs (Airflow, a deployment target) cannot be reached",
}

Responses = dict[int | str, dict[str, Any]]


def errors(*statuses: int, **meanings: str) -> Responses:
    """OpenAPI ``responses`` for ``statuses``; ``meanings`` (``s409="…"``) say more for a route."""
    return {
        status: {
            "model": ErrorBody,
            "description": meanings.get(f"s{status}", _MEANINGS[status]),
        }
        for status in statuses
    }


# What any /api/v1 route can answer: it needs a key, counts toward a limit, and may get a body.
COMMON = errors(401, 413, 422, 429)
# What a route that reads a JSON body can answer besides: a body that is not UTF-8 JSON.
WITH_BODY = errors(400, s400="The body cannot be read as JSON")
