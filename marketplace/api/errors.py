"""The marketplace's error answers: servicekit's common body (ErrorBody), plus what its
deployment routes document and the body its request guard answers with."""

from __future__ import annotations

from fastapi import FastAPI

from marketplace.api.responses import errors
from servicekit import error_handlers
from servicekit.error_handlers import CODES

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


def guard_error(status: int, _code: str, message: str) -> dict[str, str]:
    """The body :class:`servicekit.body_guard.BodyGuard` answers with (413, 422)."""
    return {"detail": message, "code": CODES.get(status, "error")}


def install_error_handlers(app: FastAPI) -> None:
    error_handlers.install_error_handlers(app, "the marketplace")
