"""Value definitions: what the business says a workflow's or endpoint's output is worth,
kept per tenant, and folded into what the read model prices runs and predictions at."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from insights.errors import Conflict, InvalidInput, NotFound
from insights.models import ValueDefinition
from insights.readmodel.views import Values
from insights.schemas import ValueDefinitionCreate, ValueDefinitionUpdate


def list_definitions(
    session: Session, tenant: str, target_kind: str | None = None, target: str | None = None
) -> list[ValueDefinition]:
    query = select(ValueDefinition).where(ValueDefinition.tenant == tenant)
    if target_kind is not None:
        query = query.where(ValueDefinition.target_kind == target_kind)
    if target is not None:
        query = query.where(ValueDefinition.target == target)
    order = (ValueDefinition.target_kind, ValueDefinition.target, ValueDefinition.basis)
    return list(session.scalars(query.order_by(*order)))


def get_definition(session: Session, tenant: str, definition_id: int) -> ValueDefinition:
    """The tenant's definition; another tenant's is as unknown as a missing one."""
    row = session.get(ValueDefinition, definition_id)
    if row is None or row.tenant != tenant:
        raise NotFound(f"no value definition {definition_id}")
    return row


def create_definition(
    session: Session, tenant: str, body: ValueDefinitionCreate, actor: str
) -> ValueDefinition:
    row = ValueDefinition(tenant=tenant, created_by=actor, **body.model_dump())
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            f"the {body.target_kind} {body.target!r} already has a {body.basis} value; "
            "change that one (PATCH) instead"
        ) from None
    return row


def update_definition(
    session: Session, tenant: str, definition_id: int, body: ValueDefinitionUpdate
) -> ValueDefinition:
    row = get_definition(session, tenant, definition_id)
    changes = body.model_dump(exclude_none=True)
    if "quantity" in changes and row.basis in ("per_run", "per_prediction"):
        raise InvalidInput(f"quantity is 1 for {row.basis}: the unit is the {row.basis[4:]}")
    for name, value in changes.items():
        setattr(row, name, value)
    session.commit()
    return row


def delete_definition(session: Session, tenant: str, definition_id: int) -> None:
    session.delete(get_definition(session, tenant, definition_id))
    session.commit()


def tenant_values(session: Session, tenant: str) -> Values:
    """USD per successful run of each workflow and per prediction of each endpoint: the sum,
    over the target's definitions, of amount * quantity."""
    per_target: dict[str, dict[str, float]] = {"workflow": defaultdict(float)}
    per_target["endpoint"] = defaultdict(float)
    for row in list_definitions(session, tenant):
        per_target[row.target_kind][row.target] += float(row.amount_usd * row.quantity)
    return Values(per_run=dict(per_target["workflow"]), per_prediction=dict(per_target["endpoint"]))
