"""Workflows and their immutable versions, always seen through the caller's tenant."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from airloom.workflow.factory import legacy_dag_id
from airloom.workflow.spec import NAME_PATTERN, blank_spec
from airloom.workflow.validation import parse_spec
from workflow_builder_api.models import Workflow, WorkflowVersion, utcnow
from workflow_builder_api.services.auth import Principal, Role
from workflow_builder_api.services.errors import Conflict, InvalidInput, NotFound, StaleVersion
from workflow_builder_api.services.templates import Template

MAX_SPEC_BYTES = 2_000_000  # a 500-node design with params is far below this


@dataclass(frozen=True)
class WorkflowFilter:
    search: str | None = None  # in name or title, case-insensitive
    published: bool | None = None
    template_id: str | None = None


@dataclass(frozen=True)
class Page:
    items: list[Workflow]
    end_cursor: str | None
    has_next_page: bool


def get_workflow(session: Session, principal: Principal, workflow_id: str) -> Workflow:
    """A live workflow of the caller's tenant; any other looks as if it did not exist."""
    principal.require(Role.VIEWER)
    workflow = session.get(Workflow, workflow_id)
    if workflow is None or workflow.tenant != principal.tenant or workflow.deleted_at is not None:
        raise NotFound(f"no workflow {workflow_id!r}")
    return workflow


def workflows_by_id(
    session: Session, principal: Principal, workflow_ids: Sequence[str]
) -> dict[str, Workflow]:
    """Several of the tenant's workflows at once; each must exist (deleted ones included)."""
    principal.require(Role.VIEWER)
    rows = session.scalars(
        select(Workflow).where(
            Workflow.id.in_(list(workflow_ids)), Workflow.tenant == principal.tenant
        )
    )
    found = {row.id: row for row in rows}
    missing = [workflow_id for workflow_id in workflow_ids if workflow_id not in found]
    if missing:
        raise NotFound(f"no workflow {missing[0]!r}")
    return found


def get_version(session: Session, workflow: Workflow, number: int) -> WorkflowVersion:
    version = session.scalar(
        select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == workflow.id, WorkflowVersion.number == number
        )
    )
    if version is None:
        raise NotFound(
            f"workflow {workflow.name!r} has no version {number} "
            f"(versions 1 to {workflow.current_version})"
        )
    return version


def versions_of(session: Session, workflow_ids: Sequence[str]) -> dict[str, list[WorkflowVersion]]:
    """Every version of each workflow, newest first (one query for a whole page)."""
    found: dict[str, list[WorkflowVersion]] = {workflow_id: [] for workflow_id in workflow_ids}
    rows = session.scalars(
        select(WorkflowVersion)
        .where(WorkflowVersion.workflow_id.in_(list(workflow_ids)))
        .order_by(WorkflowVersion.workflow_id, WorkflowVersion.number.desc())
    )
    for row in rows:
        found[row.workflow_id].append(row)
    return found


def list_workflows(
    session: Session,
    principal: Principal,
    workflow_filter: WorkflowFilter,
    *,
    first: int,
    after: str | None = None,
) -> Page:
    """A page of the tenant's workflows, newest first, after an opaque cursor."""
    principal.require(Role.VIEWER)
    query = select(Workflow).where(
        Workflow.tenant == principal.tenant, Workflow.deleted_at.is_(None)
    )
    if workflow_filter.search:
        # autoescape: '%' and '_' in a search are text, not wildcards.
        text = workflow_filter.search
        query = query.where(
            or_(
                Workflow.name.icontains(text, autoescape=True),
                Workflow.title.icontains(text, autoescape=True),
            )
        )
    if workflow_filter.published is not None:
        published = Workflow.published_version.is_not(None)
        query = query.where(published if workflow_filter.published else ~published)
    if workflow_filter.template_id:
        query = query.where(Workflow.template_id == workflow_filter.template_id)
    if after:
        created_at, workflow_id = _decode_cursor(after)
        query = query.where(
            or_(
                Workflow.created_at < created_at,
                and_(Workflow.created_at == created_at, Workflow.id < workflow_id),
            )
        )
    rows = list(
        session.scalars(
            query.order_by(Workflow.created_at.desc(), Workflow.id.desc()).limit(first + 1)
        )
    )
    items = rows[:first]
    end_cursor = _encode_cursor(items[-1]) if items else None
    return Page(items=items, end_cursor=end_cursor, has_next_page=len(rows) > first)


def create_workflow(
    session: Session,
    principal: Principal,
    *,
    name: str,
    title: str | None = None,
    spec: Any = None,
    template: Template | None = None,
    message: str = "",
) -> Workflow:
    principal.require(Role.EDITOR)
    if not re.fullmatch(NAME_PATTERN, name):
        raise InvalidInput(
            f"workflow name {name!r} must start with a letter and use only lower-case letters, "
            "digits and '_' (at most 63)"
        )
    if spec is not None and template is not None:
        raise InvalidInput("give either a spec or a template, not both")
    if template is not None:
        document = _named(template.spec_for(name, title, tenant=principal.tenant), name)
    elif spec is not None:
        document = _named(spec, name)
    else:
        document = blank_spec(name, title or "").to_document()
    existing = session.scalar(
        select(Workflow.id).where(
            Workflow.tenant == principal.tenant,
            Workflow.name == name,
            Workflow.deleted_at.is_(None),
        )
    )
    if existing:
        raise Conflict(f"a workflow named {name!r} already exists (id {existing})")
    workflow = Workflow(
        tenant=principal.tenant,
        name=name,
        title=_title(document, name),
        template_id=template.id if template else None,
        current_version=1,
    )
    session.add(workflow)
    session.flush()
    first_message = message or (f"created from template {template.id}" if template else "created")
    _add_version(session, workflow, 1, document, principal, first_message)
    return workflow


def update_workflow(
    session: Session,
    principal: Principal,
    workflow_id: str,
    *,
    expected_version: int,
    spec: Any,
    message: str = "",
) -> WorkflowVersion:
    """Save ``spec`` as the next version, if nobody saved another since ``expected_version``."""
    principal.require(Role.EDITOR)
    workflow = get_workflow(session, principal, workflow_id)
    document = _named(spec, workflow.name)
    number = expected_version + 1
    # Compare-and-set in one statement: two editors saving at once cannot both win.
    saved = session.execute(
        update(Workflow)
        .where(Workflow.id == workflow.id, Workflow.current_version == expected_version)
        .values(current_version=number, title=_title(document, workflow.name), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if saved.rowcount != 1:
        session.refresh(workflow)
        raise StaleVersion(expected_version, workflow.current_version)
    session.refresh(workflow)
    return _add_version(session, workflow, number, document, principal, message or "updated")


def restore_version(
    session: Session, principal: Principal, workflow_id: str, number: int
) -> WorkflowVersion:
    """Save an earlier version's spec as the newest version (history is never rewritten)."""
    workflow = get_workflow(session, principal, workflow_id)
    earlier = get_version(session, workflow, number)
    return update_workflow(
        session,
        principal,
        workflow_id,
        expected_version=workflow.current_version,
        spec=earlier.spec,
        message=f"restored version {number}",
    )


def published_dag_id(workflow: Workflow) -> str | None:
    """The DAG id the workflow's published file carries, if it is published (files published
    before DAG ids could not collide carry the older form)."""
    if workflow.published_version is None:
        return None
    return workflow.published_dag_id or legacy_dag_id(workflow.tenant, workflow.name)


def mark_deleted(session: Session, workflow: Workflow) -> None:
    workflow.deleted_at = utcnow()
    workflow.published_version = None
    workflow.published_location = None


def _add_version(
    session: Session,
    workflow: Workflow,
    number: int,
    document: dict[str, Any],
    principal: Principal,
    message: str,
) -> WorkflowVersion:
    version = WorkflowVersion(
        workflow_id=workflow.id,
        number=number,
        spec=document,
        message=message,
        created_by=principal.name,
    )
    session.add(version)
    session.flush()
    return version


def _named(spec: Any, name: str) -> dict[str, Any]:
    """The spec as stored: a JSON object whose metadata.name is the workflow's name."""
    if not isinstance(spec, dict):
        raise InvalidInput("spec must be a JSON object (a workflow document)")
    if len(json.dumps(spec)) > MAX_SPEC_BYTES:
        raise InvalidInput(f"spec is larger than {MAX_SPEC_BYTES} bytes")
    document = copy.deepcopy(spec)
    metadata = document.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        raise InvalidInput("spec.metadata must be a JSON object")
    if metadata.setdefault("name", name) != name:
        raise InvalidInput(
            f"metadata.name is the workflow's name {name!r} and cannot change "
            f"(got {metadata['name']!r}); create a new workflow instead"
        )
    # Stored with every default filled in, so versions compare field by field; a draft that
    # is not a workflow document yet is kept as sent.
    spec_model, _ = parse_spec(document)
    return spec_model.to_document() if spec_model is not None else document


def _title(document: dict[str, Any], name: str) -> str:
    title = (document.get("metadata") or {}).get("title")
    return str(title)[:200] if title else name


def _encode_cursor(workflow: Workflow) -> str:
    raw = json.dumps([workflow.created_at.isoformat(), workflow.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created_at, workflow_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(created_at), str(workflow_id)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"cursor {cursor!r} is not one this API returned") from exc
