"""Start validation and benchmark runs (Airflow DAG runs) and follow their results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from marketplace.api.deps import AirflowDep, CurrentKey, SessionDep, SyncDep, require_tier
from marketplace.api.params import ModelName, VersionNumber
from marketplace.api.responses import COMMON, WITH_BODY, errors
from marketplace.checks import BENCHMARK, VALIDATION, check_status, public_run, request_check
from marketplace.models import ApiKey
from marketplace.schemas import BenchmarkRequest, CheckRunPublic, CheckStatus, ValidationRequest

router = APIRouter(prefix="/models/{name}/versions/{version}", tags=["checks"], responses=COMMON)
STARTED = {
    202: {"model": CheckRunPublic, "description": "DAG run started; follow status_url"},
    **errors(
        404,
        409,
        503,
        s409="A run for this version is already in flight",
        s503="Airflow cannot be reached, or it lacks the DAG",
    ),
    **WITH_BODY,
}


def _benchmark_key(request: Request, key: CurrentKey) -> ApiKey:
    tiers = request.app.state.settings.benchmark_tiers
    return require_tier(*tiers, action="starting a benchmark")(key)


@router.post("/validate", status_code=202, responses=STARTED, summary="Validate a version")
def validate(
    name: ModelName,
    version: VersionNumber,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    body: Annotated[ValidationRequest | None, Body()] = None,
) -> JSONResponse:
    options = (body or ValidationRequest()).model_dump()
    run = request_check(
        session, airflow, VALIDATION, key.tenant, name, version, options, key.prefix
    )
    return JSONResponse(public_run(run, airflow).model_dump(mode="json"), status_code=202)


@router.get(
    "/validation",
    response_model=CheckStatus,
    responses=errors(404),
    summary="Validation status and report",
)
def validation_status(
    name: ModelName,
    version: VersionNumber,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    sync: SyncDep,
) -> CheckStatus:
    return check_status(session, airflow, sync, VALIDATION, key.tenant, name, version)


@router.post(
    "/benchmark",
    status_code=202,
    responses=STARTED | errors(403, s403="The key's tier may not benchmark"),
    summary="Benchmark a version (p50/p95/p99 latency, throughput at 1, 8, 32)",
)
def benchmark(
    name: ModelName,
    version: VersionNumber,
    key: Annotated[ApiKey, Depends(_benchmark_key)],
    session: SessionDep,
    airflow: AirflowDep,
    body: Annotated[BenchmarkRequest | None, Body()] = None,
) -> JSONResponse:
    options = (body or BenchmarkRequest()).model_dump()
    run = request_check(session, airflow, BENCHMARK, key.tenant, name, version, options, key.prefix)
    return JSONResponse(public_run(run, airflow).model_dump(mode="json"), status_code=202)


@router.get(
    "/benchmark",
    response_model=CheckStatus,
    responses=errors(404),
    summary="Benchmark status and figures",
)
def benchmark_status(
    name: ModelName,
    version: VersionNumber,
    key: CurrentKey,
    session: SessionDep,
    airflow: AirflowDep,
    sync: SyncDep,
) -> CheckStatus:
    return check_status(session, airflow, sync, BENCHMARK, key.tenant, name, version)
