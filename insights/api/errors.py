"""The insights service's error answers: servicekit's common body (ErrorBody), and what each
status means in its OpenAPI document."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from insights.schemas import ErrorBody
from servicekit import error_handlers

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


def install_error_handlers(app: FastAPI) -> None:
    error_handlers.install_error_handlers(app, "the insights service")
