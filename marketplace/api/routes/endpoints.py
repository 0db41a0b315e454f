"""Endpoints: MLflow's scoring protocol, list, read, delete, roll back, history."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response

from marketplace.activity import invocation_event
from marketplace.api.deps import (
    AirflowDep,
    CurrentKey,
    EndpointDirectoryDep,
    PredictionKey,
    RegistryDep,
    SessionDep,
    TargetsDep,
)
from marketplace.api.errors import STARTS_A_DEPLOYMENT, TARGET_DOWN
from marketplace.api.params import EndpointName
from marketplace.api.responses import COMMON, WITH_BODY, errors
from marketplace.deployment_schemas import (
    DeploymentPublic,
    EndpointHistory,
    EndpointList,
    EndpointPublic,
    Predictions,
    RollbackRequest,
)
from marketplace.deployments import public_deployment
from marketplace.endpoint_claims import owned_endpoint
from marketplace.endpoints import (
    delete_endpoint,
    describe,
    endpoint_history,
    error_body,
    list_endpoints,
    request_rollback,
)
from marketplace.errors import NotFound, Unavailable

router = APIRouter(prefix="/endpoints", tags=["endpoints"], responses=COMMON)


@router.get("", response_model=EndpointList, summary="The tenant's endpoints")
def endpoints(
    key: CurrentKey, session: SessionDep, airflow: AirflowDep, targets: TargetsDep
) -> EndpointList:
    """Every endpoint of the tenant; one whose target cannot be asked right now is listed with
    status `unavailable` and the reason."""
    return EndpointList(endpoints=list_endpoints(session, airflow, targets, key.tenant))


@router.get(
    "/{name}",
    response_model=EndpointPublic,
    responses=errors(404, 503, s503=TARGET_DOWN),
    summary="One endpoint: target, version served, status",
)
def endpoint(
    name: EndpointName,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    targets: TargetsDep,
) -> EndpointPublic:
    return describe(session, airflow, targets, owned_endpoint(session, key.tenant, name))


@router.delete(
    "/{name}",
    status_code=204,
    responses=errors(
        404,
        409,
        503,
        s409="A deployment to it is in flight; detail names the run",
        s503=TARGET_DOWN,
    ),
    summary="Delete an endpoint",
)
def remove(
    name: EndpointName,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    targets: TargetsDep,
    directory: EndpointDirectoryDep,
) -> Response:
    delete_endpoint(session, airflow, targets, directory, key.tenant, name)
    return Response(status_code=204)


@router.post(
    "/{name}/invocations",
    summary="Predict (MLflow scoring protocol)",
    responses={
        200: {
            "model": Predictions,
            "description": '`{"predictions": [...]}`, as `mlflow models serve` answers',
        },
        **errors(
            400,
            404,
            415,
            422,
            502,
            503,
            s400="The payload is not a scoring request",
            s415="The endpoint does not read this content type",
            s422="The payload does not match the signature, or its JSON nests too deeply",
            s502="The endpoint failed to answer (its model raised); detail has its message",
            s503=TARGET_DOWN,
        ),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {"dataframe_split": {"columns": ["x"], "data": [[1.0]]}},
                }
            },
        }
    },
)
async def invocations(
    name: EndpointName,
    request: Request,
    key: PredictionKey,
    targets: TargetsDep,
    directory: EndpointDirectoryDep,
) -> Response:
    """`dataframe_split`, `dataframe_records`, `instances` or `inputs`, as `mlflow models
    serve` takes them; the answer is `{"predictions": [...]}`."""
    # The hot path: the key and the endpoint's tenant and target from memory (or one keyed read
    # each in a worker thread), the call itself asynchronous; no session is held while the
    # endpoint answers, and nothing here blocks the event loop.
    route = await directory.resolve(name)
    if route is None or route.tenant != key.tenant:
        raise NotFound(f"endpoint {name!r} not found")
    body = await request.body()
    content_type = request.headers.get("content-type") or "application/json"
    started, status, answer = time.perf_counter(), 503, b""
    try:
        status, answer, media_type = await targets.invoke(route.target, name, body, content_type)
    except Unavailable:
        raise
    except Exception as exc:  # DeploymentError, or a target breaking its contract: say why
        raise Unavailable(f"endpoint {name!r} cannot be reached: {exc}") from exc
    finally:
        invocation_event(route, status, answer, started)  # queued: the answer does not wait
    if status == 404:
        return JSONResponse(
            {"detail": f"endpoint {name!r} not found (deleted)", "code": "not_found"}, 404
        )
    if status >= 400:
        # As a gateway: the endpoint's own failure is a 502, its unavailability stays a 503.
        relayed = 502 if status >= 500 and status != 503 else status
        return JSONResponse(error_body(status, answer), status_code=relayed)
    return Response(answer, status_code=status, media_type=media_type)


@router.post(
    "/{name}/rollback",
    status_code=202,
    response_model=DeploymentPublic,
    summary="Roll back to the version served before, in one call",
    responses={
        202: {"description": "Rollback run started; follow status_url through its phases"},
        **STARTS_A_DEPLOYMENT,
        **WITH_BODY,
    },
)
def rollback(
    name: EndpointName,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    targets: TargetsDep,
    registry: RegistryDep,
    directory: EndpointDirectoryDep,
    body: Annotated[RollbackRequest | None, Body()] = None,
) -> DeploymentPublic:
    reason = (body or RollbackRequest()).reason
    run = request_rollback(session, airflow, targets, directory, registry.client, key, name, reason)
    return public_deployment(session, airflow, run)


@router.get(
    "/{name}/history",
    response_model=EndpointHistory,
    responses=errors(404),
    summary="Who deployed what, when, from which version to which, why",
)
def history(
    name: EndpointName,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    registry: RegistryDep,
) -> EndpointHistory:
    return endpoint_history(registry.client, session, airflow, key.tenant, name)
