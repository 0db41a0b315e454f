"""Queries: the catalog, templates, the tenant's workflows and runs."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

import airloom
from airloom.catalog import node_types
from airloom.workflow.spec import json_schema
from workflow_builder_api.graphql.run_types import Run
from workflow_builder_api.graphql.types import (
    Info,
    NodeType,
    PageInfo,
    PublishTarget,
    Template,
    Workflow,
    WorkflowConnection,
)
from workflow_builder_api.services import run_history, runs, workflows
from workflow_builder_api.services.errors import InvalidInput


@strawberry.type
class ServiceInfo:
    service: str
    version: str
    publish_target: PublishTarget = strawberry.field(
        description="Where this deployment publishes workflows."
    )


@strawberry.input
class WorkflowFilter:
    search: str | None = strawberry.UNSET
    published: bool | None = strawberry.UNSET
    template_id: str | None = strawberry.UNSET


def _value(value: object) -> object:
    return None if value is strawberry.UNSET else value


@strawberry.type
class Query:
    @strawberry.field(description="Which builder answers and its version.")
    def service_info(self, info: Info) -> ServiceInfo:
        return ServiceInfo(
            service="airloom-workflow-builder",
            version=airloom.__version__,
            publish_target=PublishTarget(info.context.settings.publish_target),
        )

    @strawberry.field(description="Every node type a workflow can use.")
    async def node_types(self, info: Info) -> list[NodeType]:
        await info.context.principal()
        return [NodeType.of(node_type) for node_type in node_types().values()]

    @strawberry.field(description="The JSON Schema of the workflow spec.")
    async def spec_schema(self, info: Info) -> JSON:
        await info.context.principal()
        return json_schema()

    @strawberry.field(description="Ready-made designs to start a workflow from.")
    async def templates(self, info: Info, industry: str | None = None) -> list[Template]:
        principal = await info.context.principal()
        return [
            Template.of(template, principal.tenant)
            for template in info.context.runtime.templates.values()
            if industry is None or template.industry == industry
        ]

    @strawberry.field(description="The tenant's workflows, newest first, a page at a time.")
    async def workflows(
        self,
        info: Info,
        filter: WorkflowFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> WorkflowConnection:
        principal = await info.context.principal()
        limit = info.context.settings.page_size_limit
        if not 1 <= first <= limit:
            raise InvalidInput(f"first must be between 1 and {limit}")
        chosen = filter or WorkflowFilter()
        workflow_filter = workflows.WorkflowFilter(
            search=_value(chosen.search),  # type: ignore[arg-type]
            published=_value(chosen.published),  # type: ignore[arg-type]
            template_id=_value(chosen.template_id),  # type: ignore[arg-type]
        )
        page = await info.context.db(
            workflows.list_workflows, principal, workflow_filter, first=first, after=after
        )
        return WorkflowConnection(
            nodes=[Workflow.of(row) for row in page.items],
            page_info=PageInfo(end_cursor=page.end_cursor, has_next_page=page.has_next_page),
        )

    @strawberry.field
    async def workflow(self, info: Info, id: strawberry.ID) -> Workflow:
        principal = await info.context.principal()
        return Workflow.of(await info.context.db(workflows.get_workflow, principal, str(id)))

    @strawberry.field(
        description="The tenant's runs, newest first; of one workflow if given. Every run "
        "Airflow has of the tenant's published workflows is listed: scheduled, manual (from the "
        "builder or Airflow's UI) and retried."
    )
    async def runs(
        self, info: Info, workflow_id: strawberry.ID | None = None, first: int = 50
    ) -> list[Run]:
        principal = await info.context.principal()
        limit = info.context.settings.page_size_limit
        if not 1 <= first <= limit:
            raise InvalidInput(f"first must be between 1 and {limit}")
        rows = await info.context.db(
            run_history.list_every_run,
            principal,
            info.context.runtime.airflow,
            str(workflow_id) if workflow_id else None,
            first,
        )
        return [Run.of(row) for row in rows]

    @strawberry.field
    async def run(self, info: Info, id: strawberry.ID) -> Run:
        principal = await info.context.principal()
        return Run.of(await info.context.db(runs.get_run, principal, str(id)))
