"""Endpoints: MLflow's scoring protocol, list, read, delete, roll back, history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from airloom.deploy import DeploymentError
from marketplace.api.deps import AirflowDep, CurrentKey, RegistryDep, SessionDep
from marketplace.api.routes.deployments import TargetsDep
from marketplace.api.routes.models import ERRORS
from marketplace.deployments import RollbackRequest, public_deployment
from marketplace.endpoints import (
    delete_endpoint,
    describe,
    endpoint_history,
    error_body,
    list_endpoints,
    owned_run,
    request_rollback,
)
from marketplace.errors import Unavailable
from marketplace.schemas import ErrorBody

router = APIRouter(prefix="/endpoints", tags=["endpoints"], responses=ERRORS)


@router.get("", summary="The tenant's endpoints")
def endpoints(
    key: CurrentKey, session: SessionDep, airflow: AirflowDep, targets: TargetsDep
) -> dict[str, Any]:
    return {"endpoints": list_endpoints(session, airflow, targets, key.tenant)}


@router.get("/{name}", summary="One endpoint: target, version served, status")
def endpoint(
    name: str, key: CurrentKey, session: SessionDep, airflow: AirflowDep, targets: TargetsDep
) -> dict[str, Any]:
    return describe(session, airflow, targets, owned_run(session, key.tenant, name))


@router.delete("/{name}", status_code=204, summary="Delete an endpoint")
def remove(name: str, key: CurrentKey, session: SessionDep, targets: TargetsDep) -> Response:
    delete_endpoint(session, targets, key.tenant, name)
    return Response(status_code=204)


@router.post(
    "/{name}/invocations",
    summary="Predict (MLflow scoring protocol)",
    responses={
        422: {"model": ErrorBody, "description": "The payload does not match the signature"},
        400: {"model": ErrorBody, "description": "The payload is not a scoring request"},
    },
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "example": {"dataframe_split": {"columns": ["x"], "data": [[1.0]]}}
                }
            }
        }
    },
)
async def invocations(
    name: str, request: Request, key: CurrentKey, session: SessionDep, targets: TargetsDep
) -> Response:
    """`dataframe_split`, `dataframe_records`, `instances` or `inputs`, as `mlflow models
    serve` takes them; the answer is `{"predictions": [...]}`."""
    run = owned_run(session, key.tenant, name)
    target = targets.get(run.conf.get("target", "local"))
    body = await request.body()
    content_type = request.headers.get("content-type") or "application/json"
    try:
        status, answer, media_type = await run_in_threadpool(
            target.invoke, name, body, content_type
        )
    except DeploymentError as exc:
        raise Unavailable(f"endpoint {name!r} cannot be reached: {exc}") from exc
    if status == 404:
        return JSONResponse(
            {"detail": f"endpoint {name!r} not found (deleted)", "code": "not_found"}, 404
        )
    if status >= 400:
        return JSONResponse(error_body(status, answer), status_code=status)
    return Response(answer, status_code=status, media_type=media_type)


@router.post(
    "/{name}/rollback",
    status_code=202,
    summary="Roll back to the version served before, in one call",
    responses={409: {"model": ErrorBody, "description": "Nothing to roll back to, or busy"}},
)
def rollback(
    name: str,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    targets: TargetsDep,
    registry: RegistryDep,
    body: Annotated[RollbackRequest | None, Body()] = None,
) -> JSONResponse:
    reason = (body or RollbackRequest()).reason
    run = request_rollback(session, airflow, targets, registry.client, key, name, reason)
    return JSONResponse(public_deployment(run, airflow), status_code=202)


@router.get("/{name}/history", summary="Who deployed what, when, from which version, why")
def history(
    name: str, key: CurrentKey, session: SessionDep, registry: RegistryDep
) -> dict[str, Any]:
    return endpoint_history(registry.client, session, key.tenant, name)
