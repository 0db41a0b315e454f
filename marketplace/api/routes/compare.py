"""Compare two to five model versions side by side."""

from __future__ import annotations

from fastapi import APIRouter

from marketplace.api.deps import CurrentKey, SessionDep
from marketplace.api.responses import COMMON, WITH_BODY, errors
from marketplace.compare import compare
from marketplace.schemas import CompareRequest, CompareResponse

router = APIRouter(tags=["catalog"], responses=COMMON)


@router.post(
    "/compare",
    response_model=CompareResponse,
    responses=errors(404) | WITH_BODY,
    summary="Compare versions: metrics, signature compatibility, size, validation, benchmark",
)
def compare_versions(body: CompareRequest, key: CurrentKey, session: SessionDep) -> CompareResponse:
    return compare(session, key.tenant, body.versions)
