"""One-click deploy (a `model_deployment` DAG run, answered at once) and its progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from marketplace.api.deps import (
    AirflowDep,
    CurrentKey,
    EndpointDirectoryDep,
    RegistryDep,
    SessionDep,
    SyncDep,
    TargetsDep,
)
from marketplace.api.errors import STARTS_A_DEPLOYMENT
from marketplace.api.params import ModelName, RunId, VersionNumber
from marketplace.api.responses import COMMON, WITH_BODY, errors
from marketplace.deployment_schemas import DeploymentPublic, DeployRequest, ModelHistory
from marketplace.deployments import (
    deployment_status,
    model_history,
    public_deployment,
    request_deployment,
)

router = APIRouter(tags=["deployments"], responses=COMMON)


@router.post(
    "/models/{name}/versions/{version}/deploy",
    status_code=202,
    response_model=DeploymentPublic,
    summary="Deploy a version: a deployment DAG run that validates first if need be",
    responses={
        202: {"description": "Run started; follow status_url through its phases"},
        **errors(403, s403="The key's tier may not use this target"),
        **STARTS_A_DEPLOYMENT,
        **WITH_BODY,
    },
)
def deploy(
    name: ModelName,
    version: VersionNumber,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    targets: TargetsDep,
    directory: EndpointDirectoryDep,
    body: Annotated[DeployRequest | None, Body()] = None,
) -> DeploymentPublic:
    """Answers at once, whatever the version's validation state: a version never validated
    is validated by the run (phase `validating`); one that fails validation ends the run
    `failed` with the report, and nothing is deployed."""
    run = request_deployment(
        session, airflow, targets, directory, key, name, version, body or DeployRequest()
    )
    return public_deployment(session, airflow, run)


@router.get(
    "/deployments/{run_id}",
    response_model=DeploymentPublic,
    responses=errors(404),
    summary="A deployment's progress: queued, validating, deploying, ready or failed",
)
def deployment(
    run_id: RunId, key: CurrentKey, session: SessionDep, airflow: AirflowDep, sync: SyncDep
) -> DeploymentPublic:
    return deployment_status(session, airflow, sync, key.tenant, run_id)


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
