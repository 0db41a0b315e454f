"""One-click deploy (validation gate, then a `model_deployment` DAG run) and its progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from marketplace.api.deps import AirflowDep, CurrentKey, RegistryDep, SessionDep, SyncDep
from marketplace.api.params import ModelName, RunId, VersionNumber
from marketplace.api.responses import COMMON, WITH_BODY, errors
from marketplace.deployments import (
    DeployRequest,
    ValidationRefused,
    deployment_status,
    model_history,
    public_deployment,
    request_deployment,
)
from marketplace.endpoints import Targets
from marketplace.schemas import DeploymentPublic, ModelHistory, ValidationRefusedBody

router = APIRouter(tags=["deployments"], responses=COMMON)


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
        202: {"model": DeploymentPublic, "description": "Run started; follow status_url"},
        **errors(
            403,
            404,
            503,
            s403="The key's tier may not use this target",
            s503="Airflow cannot be reached or lacks the DAG, or the target cannot say who "
            "holds the endpoint name; detail says which",
        ),
        **WITH_BODY,
        409: {
            "model": ValidationRefusedBody,
            "description": "The version failed validation (code validation_failed, report in "
            "`validation`), the endpoint is busy, or its name is taken (code conflict)",
        },
    },
)
def deploy(
    name: ModelName,
    version: VersionNumber,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    sync: SyncDep,
    targets: TargetsDep,
    body: Annotated[DeployRequest | None, Body()] = None,
) -> JSONResponse:
    try:
        run = request_deployment(
            session, airflow, sync, key, name, version, body or DeployRequest(), targets.holder
        )
    except ValidationRefused as refused:
        answer = ValidationRefusedBody(
            detail=refused.message, code="validation_failed", validation=refused.validation
        )
        return JSONResponse(answer.model_dump(mode="json"), status_code=409)
    started = DeploymentPublic.model_validate(public_deployment(run, airflow))
    return JSONResponse(started.model_dump(mode="json"), status_code=202)


@router.get(
    "/deployments/{run_id}",
    response_model=DeploymentPublic,
    responses=errors(404),
    summary="A deployment's progress",
)
def deployment(
    run_id: RunId, key: CurrentKey, session: SessionDep, airflow: AirflowDep, sync: SyncDep
) -> DeploymentPublic:
    run = deployment_status(session, airflow, sync, key.tenant, run_id)
    return DeploymentPublic.model_validate(public_deployment(run, airflow))


@router.get(
    "/models/{name}/deployments",
    response_model=ModelHistory,
    responses=errors(404),
    summary="A model's deployment history",
)
def history(
    name: ModelName, key: CurrentKey, session: SessionDep, registry: RegistryDep
) -> ModelHistory:
    """Every promotion of the model: who, when, from which version to which, why, where."""
    return ModelHistory.model_validate(
        {"model": name, "events": model_history(registry.client, session, key.tenant, name)}
    )
