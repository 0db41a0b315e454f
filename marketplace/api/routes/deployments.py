"""One-click deploy (validation gate, then a `model_deployment` DAG run) and its progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from marketplace.api.deps import AirflowDep, CurrentKey, RegistryDep, SessionDep, SyncDep
from marketplace.api.routes.models import ERRORS
from marketplace.deployments import (
    DeployRequest,
    ValidationRefused,
    deployment_status,
    model_history,
    public_deployment,
    request_deployment,
)
from marketplace.endpoints import Targets
from marketplace.schemas import ErrorBody

router = APIRouter(tags=["deployments"], responses=ERRORS)


def get_targets(request: Request) -> Targets:
    state = request.app.state
    if getattr(state, "targets", None) is None:
        state.targets = Targets(state.settings.mlflow_tracking_uri)
    return state.targets


TargetsDep = Annotated[Targets, Depends(get_targets)]


@router.post(
    "/models/{name}/versions/{version}/deploy",
    status_code=202,
    summary="Deploy a version (validation gate, deployment DAG run, champion alias, audit)",
    responses={
        202: {"description": "Deployment DAG run started; follow status_url"},
        403: {"model": ErrorBody, "description": "The key's tier may not use this target"},
        409: {
            "model": ErrorBody,
            "description": "The version failed validation (report in `validation`), the "
            "endpoint is busy, or its name is taken",
        },
        503: {"model": ErrorBody, "description": "Airflow unreachable or the DAG is missing"},
    },
)
def deploy(
    name: str,
    version: int,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    sync: SyncDep,
    targets: TargetsDep,
    body: Annotated[DeployRequest | None, Body()] = None,
) -> JSONResponse:
    try:
        run = request_deployment(
            session, airflow, sync, key, name, version, body or DeployRequest(), targets.live
        )
    except ValidationRefused as refused:
        validation = refused.validation.model_dump() if refused.validation else None
        return JSONResponse(
            {"detail": refused.message, "code": "validation_failed", "validation": validation},
            status_code=409,
        )
    return JSONResponse(public_deployment(run, airflow), status_code=202)


@router.get("/deployments/{run_id}", summary="A deployment's progress")
def deployment(
    run_id: str, key: CurrentKey, session: SessionDep, airflow: AirflowDep, sync: SyncDep
) -> dict[str, Any]:
    run = deployment_status(session, airflow, sync, key.tenant, run_id)
    return public_deployment(run, airflow)


@router.get("/models/{name}/deployments", summary="A model's deployment history")
def history(name: str, key: CurrentKey, session: SessionDep, registry: RegistryDep) -> dict:
    """Every promotion of the model: who, when, from which version to which, why, where."""
    return {"model": name, "events": model_history(registry.client, session, key.tenant, name)}
