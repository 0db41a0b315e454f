"""Value definitions: what a workflow's run or an endpoint's prediction is worth, per tenant.
Anyone of the tenant reads them; changing them needs the editor role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from insights import values
from insights.api.deps import CallerDep, EditorDep, SessionDep
from insights.api.errors import errors
from insights.schemas import (
    TargetKind,
    ValueDefinitionCreate,
    ValueDefinitionOut,
    ValueDefinitionUpdate,
)

router = APIRouter(prefix="/values", tags=["values"], responses=errors(401, 422))
DefinitionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Value definition id")]


@router.get("", response_model=list[ValueDefinitionOut], summary="The tenant's value definitions")
def list_values(
    caller: CallerDep,
    session: SessionDep,
    target_kind: TargetKind | None = None,
    target: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
) -> list[ValueDefinitionOut]:
    rows = values.list_definitions(session, caller.tenant, target_kind, target)
    return [ValueDefinitionOut.model_validate(row) for row in rows]


@router.post(
    "",
    response_model=ValueDefinitionOut,
    status_code=201,
    summary="Say what a unit of a workflow's or endpoint's output is worth",
    responses=errors(403, 409),
)
def create_value(
    body: ValueDefinitionCreate, caller: EditorDep, session: SessionDep
) -> ValueDefinitionOut:
    row = values.create_definition(session, caller.tenant, body, caller.name)
    return ValueDefinitionOut.model_validate(row)


@router.get(
    "/{definition_id}",
    response_model=ValueDefinitionOut,
    summary="One value definition",
    responses=errors(404),
)
def get_value(
    definition_id: DefinitionId, caller: CallerDep, session: SessionDep
) -> ValueDefinitionOut:
    row = values.get_definition(session, caller.tenant, definition_id)
    return ValueDefinitionOut.model_validate(row)


@router.patch(
    "/{definition_id}",
    response_model=ValueDefinitionOut,
    summary="Change a value definition's amount, quantity or note",
    responses=errors(403, 404),
)
def update_value(
    definition_id: DefinitionId,
    body: ValueDefinitionUpdate,
    caller: EditorDep,
    session: SessionDep,
) -> ValueDefinitionOut:
    row = values.update_definition(session, caller.tenant, definition_id, body)
    return ValueDefinitionOut.model_validate(row)


@router.delete(
    "/{definition_id}",
    status_code=204,
    summary="Delete a value definition",
    responses=errors(403, 404),
)
def delete_value(definition_id: DefinitionId, caller: EditorDep, session: SessionDep) -> Response:
    values.delete_definition(session, caller.tenant, definition_id)
    return Response(status_code=204)
