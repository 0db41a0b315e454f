"""GraphQL types. Fields that need more data resolve through the context's loaders."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from airloom.catalog import NodeType as CatalogNodeType
from airloom.catalog import Port as CatalogPort
from airloom.tenancy import TenantScope
from airloom.workflow.factory import dag_id_for
from airloom.workflow.validation import Problem as SpecProblem
from airloom.workflow.validation import validate
from workflow_builder_api import models
from workflow_builder_api.graphql.context import BuilderContext
from workflow_builder_api.services import diff as spec_diff
from workflow_builder_api.services.errors import NotFound
from workflow_builder_api.services.templates import Template as StoredTemplate
from workflow_builder_api.services.workflows import published_dag_id

if TYPE_CHECKING:
    from workflow_builder_api.graphql.run_types import Run

Info = strawberry.Info[BuilderContext, None]
RUN_TYPES = "workflow_builder_api.graphql.run_types"  # runs refer back to their workflow


@strawberry.type(description="Something a designer can fix, with the node and field it concerns.")
class Problem:
    code: str
    message: str
    node_id: str | None
    field: str | None

    @classmethod
    def of(cls, problem: SpecProblem) -> Problem:
        return cls(
            code=problem.code, message=problem.message, node_id=problem.node_id, field=problem.field
        )


def problems_of(spec: JSON, scope: TenantScope | None = None) -> list[Problem]:
    if not isinstance(spec, dict):
        return [
            Problem(
                code="INVALID_DOCUMENT",
                message="spec must be a JSON object (a workflow document)",
                node_id=None,
                field=None,
            )
        ]
    return [Problem.of(problem) for problem in validate(spec, scope)]


async def tenant_problems(info: Info, spec: JSON) -> list[Problem]:
    """``spec``'s problems in the caller's tenant, as publishing it would find them."""
    scope = await info.context.tenant_scope()
    return await info.context.blocking(problems_of, spec, scope)


@strawberry.type
class Port:
    name: str
    type: str
    description: str
    required: bool
    many: bool

    @classmethod
    def of(cls, port: CatalogPort) -> Port:
        return cls(
            name=port.name,
            type=port.type.value,
            description=port.description,
            required=port.required,
            many=port.many,
        )


@strawberry.type(description="One node type of the catalog: an Airloom operator.")
class NodeType:
    type: str
    category: str
    description: str
    params_schema: JSON
    inputs: list[Port]
    outputs: list[Port]

    @classmethod
    def of(cls, node_type: CatalogNodeType) -> NodeType:
        return cls(
            type=node_type.type,
            category=node_type.category,
            description=node_type.description,
            params_schema=node_type.params_schema,
            inputs=[Port.of(port) for port in node_type.inputs],
            outputs=[Port.of(port) for port in node_type.outputs],
        )


@strawberry.type
class Template:
    id: str
    title: str
    industry: str
    description: str
    spec: JSON = strawberry.field(
        description="The design; '{workflow}' and '{tenant}' in its strings become the new "
        "workflow's name and tenant, so each instance owns its datasets, models and topics."
    )
    # The design as an instance of the caller's tenant under the template's own name gets it.
    instance: strawberry.Private[dict]

    @strawberry.field(description="Problems of the template's design against today's catalog.")
    def problems(self) -> list[Problem]:
        return problems_of(self.instance)

    @classmethod
    def of(cls, template: StoredTemplate, tenant: str) -> Template:
        return cls(
            id=template.id,
            title=template.title,
            industry=template.industry,
            description=template.description,
            spec=template.spec,
            instance=template.spec_for(template.default_name, tenant=tenant),
        )


@strawberry.type(description="One immutable saved design of a workflow.")
class WorkflowVersion:
    workflow_id: strawberry.ID
    number: int
    spec: JSON
    message: str
    created_by: str
    created_at: datetime

    @strawberry.field(
        description="Validation problems in the workflow's tenant, as publishing finds them: "
        "warnings on a draft, which is saved with them; empty when this version can be published."
    )
    async def problems(self, info: Info) -> list[Problem]:
        return await tenant_problems(info, self.spec)

    @classmethod
    def of(cls, row: models.WorkflowVersion) -> WorkflowVersion:
        return cls(
            workflow_id=strawberry.ID(row.workflow_id),
            number=row.number,
            spec=row.spec,
            message=row.message,
            created_by=row.created_by,
            created_at=row.created_at,
        )


@strawberry.type
class EdgeRef:
    source: str
    target: str


@strawberry.type
class ValueChange:
    path: str
    change: str
    before: JSON | None
    after: JSON | None

    @classmethod
    def of(cls, change: spec_diff.ValueChange) -> ValueChange:
        return cls(path=change.path, change=change.change, before=change.before, after=change.after)


@strawberry.type
class NodeChange:
    node_id: str
    fields: list[str]


@strawberry.type
class ParamChange:
    node_id: str
    path: str
    change: str
    before: JSON | None
    after: JSON | None


@strawberry.type(description="What changed from one version to another.")
class WorkflowDiff:
    from_version: int
    to_version: int
    nodes_added: list[str]
    nodes_removed: list[str]
    nodes_changed: list[NodeChange]
    edges_added: list[EdgeRef]
    edges_removed: list[EdgeRef]
    params_changed: list[ParamChange]
    settings_changed: list[ValueChange]

    @classmethod
    def of(cls, before: int, after: int, diff: spec_diff.SpecDiff) -> WorkflowDiff:
        return cls(
            from_version=before,
            to_version=after,
            nodes_added=diff.nodes_added,
            nodes_removed=diff.nodes_removed,
            nodes_changed=[
                NodeChange(node_id=c.node_id, fields=list(c.fields)) for c in diff.nodes_changed
            ],
            edges_added=[EdgeRef(source=s, target=t) for s, t in diff.edges_added],
            edges_removed=[EdgeRef(source=s, target=t) for s, t in diff.edges_removed],
            params_changed=[
                ParamChange(
                    node_id=c.node_id,
                    path=c.value.path,
                    change=c.value.change,
                    before=c.value.before,
                    after=c.value.after,
                )
                for c in diff.params
            ],
            settings_changed=[ValueChange.of(c) for c in diff.settings],
        )


@strawberry.enum(description="Where workflows are published.")
class PublishTarget(Enum):
    DAG_FILE = "dag_file"
    MWAA_SERVERLESS = "mwaa_serverless"


@strawberry.type
class Workflow:
    id: strawberry.ID
    name: str
    title: str
    template_id: str | None
    current_version: int
    published_version: int | None
    published_dag_file: str | None = strawberry.field(
        description="The published DAG file's name, as Airflow lists it (null when unpublished "
        "or published to MWAA Serverless)."
    )
    dag_id: str
    created_at: datetime
    updated_at: datetime
    stored_target: strawberry.Private[str | None]

    @classmethod
    def of(cls, row: models.Workflow) -> Workflow:
        return cls(
            id=strawberry.ID(row.id),
            name=row.name,
            title=row.title,
            template_id=row.template_id,
            current_version=row.current_version,
            published_version=row.published_version,
            published_dag_file=(
                dag_file_name(row.published_location)
                if row.publish_target != "mwaa_serverless"
                else None
            ),
            dag_id=published_dag_id(row) or dag_id_for(row.tenant, row.name),
            created_at=row.created_at,
            updated_at=row.updated_at,
            # Files published before targets existed are DAG files.
            stored_target=(row.publish_target or "dag_file") if row.published_version else None,
        )

    @strawberry.field(
        description="Where the workflow is published; unpublished, where publishing would put "
        "it (the deployment's target)."
    )
    def publish_target(self, info: Info) -> PublishTarget:
        return PublishTarget(self.stored_target or info.context.settings.publish_target)

    @strawberry.field(
        description="The current version's problems (what createWorkflow's draft is saved "
        "with): empty when it can be published."
    )
    async def problems(self, info: Info) -> list[Problem]:
        current = await self.version(info, self.current_version)
        return await tenant_problems(info, current.spec)

    @strawberry.field(description="Who created the workflow: the author of its first version.")
    async def owner(self, info: Info) -> str:
        rows = await info.context.versions.load(self.id)
        return min(rows, key=lambda row: row.number).created_by

    @strawberry.field(description="Every version, newest first.")
    async def versions(self, info: Info) -> list[WorkflowVersion]:
        return [WorkflowVersion.of(row) for row in await info.context.versions.load(self.id)]

    @strawberry.field
    async def version(self, info: Info, number: int) -> WorkflowVersion:
        for row in await info.context.versions.load(self.id):
            if row.number == number:
                return WorkflowVersion.of(row)
        raise NotFound(f"workflow {self.name!r} has no version {number}")

    @strawberry.field(description="Nodes, edges, params and settings added, removed or changed.")
    async def diff(self, info: Info, from_version: int, to_version: int) -> WorkflowDiff:
        before = await self.version(info, from_version)
        after = await self.version(info, to_version)
        return WorkflowDiff.of(
            from_version, to_version, spec_diff.diff_specs(before.spec, after.spec)
        )

    @strawberry.field(
        description="This workflow's newest runs (at most 20): manual, scheduled and retried."
    )
    async def runs(self, info: Info) -> list[Annotated[Run, strawberry.lazy(RUN_TYPES)]]:
        from workflow_builder_api.graphql.run_types import Run

        return [Run.of(row) for row in await info.context.runs.load(self.id)]


@strawberry.type
class PageInfo:
    end_cursor: str | None
    has_next_page: bool


@strawberry.type
class WorkflowConnection:
    nodes: list[Workflow]
    page_info: PageInfo


def dag_file_name(location: str | None) -> str | None:
    """Only the file's name: where the server keeps it (a folder, a bucket) is its own business."""
    return PurePosixPath(location).name if location else None


@strawberry.type
class PublishResult:
    published: bool
    problems: list[Problem]
    workflow: Workflow
    version: int
    dag_id: str
    dag_file: str | None = strawberry.field(
        description="The DAG file's name, as Airflow lists it; null when nothing was published."
    )
