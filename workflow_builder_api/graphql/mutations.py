"""Mutations: design, validate, publish and run workflows; manage the tenant's tokens."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from airloom.activity import emit_new
from airloom.activity.events import WorkflowPublishedEvent
from servicekit.airflow_roles import ensure_tenant_roles
from workflow_builder_api.graphql.airflow_errors import reaching_airflow
from workflow_builder_api.graphql.run_types import Run
from workflow_builder_api.graphql.types import (
    Info,
    Problem,
    PublishResult,
    Workflow,
    WorkflowVersion,
    dag_file_name,
    problems_of,
)
from workflow_builder_api.services import auth, publishing, runs, tenants, workflows
from workflow_builder_api.services.serverless.publisher import ServerlessPublisher
from workflow_builder_api.services.templates import get_template


@strawberry.input
class CreateWorkflowInput:
    name: str = strawberry.field(description="Lower-case identifier, unique in the tenant.")
    title: str | None = None
    template_id: str | None = strawberry.field(
        default=None, description="Start from this template's design."
    )
    spec: JSON | None = strawberry.field(default=None, description="Start from this design.")
    message: str = ""


@strawberry.type
class Mutation:
    @strawberry.mutation(description="A new workflow: blank, from a template, or from a spec.")
    async def create_workflow(self, info: Info, input: CreateWorkflowInput) -> Workflow:
        principal = await info.context.principal()
        template = (
            get_template(info.context.runtime.templates, input.template_id)
            if input.template_id
            else None
        )
        row = await info.context.db(
            workflows.create_workflow,
            principal,
            name=input.name,
            title=input.title,
            spec=input.spec,
            template=template,
            message=input.message,
        )
        return Workflow.of(row)

    @strawberry.mutation(
        description="Save a new version; fails with CONFLICT if expectedVersion is not current."
    )
    async def update_workflow(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        spec: JSON,
        message: str = "",
    ) -> WorkflowVersion:
        principal = await info.context.principal()
        row = await info.context.db(
            workflows.update_workflow,
            principal,
            str(id),
            expected_version=expected_version,
            spec=spec,
            message=message,
        )
        return WorkflowVersion.of(row)

    @strawberry.mutation(description="Every problem of a design; empty when it can be published.")
    async def validate_workflow(self, info: Info, spec: JSON) -> list[Problem]:
        principal = await info.context.principal()
        principal.require(auth.Role.EDITOR)
        settings = info.context.settings
        scope = await info.context.db(tenants.scope_for, principal.tenant, settings)
        return await info.context.blocking(problems_of, spec, scope)

    @strawberry.mutation(
        description="Compile a version and publish it: as a DAG file, or as a workflow of MWAA "
        "Serverless (see Workflow.publishTarget)."
    )
    async def publish_workflow(self, info: Info, id: strawberry.ID, version: int) -> PublishResult:
        principal = await info.context.principal()
        runtime = info.context.runtime
        # Airflow parses a DAG only if the roles its access_control names exist.
        await info.context.blocking(
            ensure_tenant_roles, info.context.runtime.airflow, principal.tenant
        )
        result = await info.context.db(
            publishing.publish, principal, runtime.target, str(id), version, runtime.settings
        )
        if result.published:  # committed: the activity topic hears of it (never blocks)
            emit_new(
                WorkflowPublishedEvent,
                tenant=principal.tenant,
                workflow=result.workflow.name,
                workflow_version=result.version,
                actor=principal.name,
            )
        return PublishResult(
            published=result.published,
            problems=[Problem.of(problem) for problem in result.problems],
            workflow=Workflow.of(result.workflow),
            version=result.version,
            dag_id=result.dag_id,
            # On MWAA Serverless there is no file: the location is the service's workflow ARN.
            dag_file=None
            if isinstance(runtime.target, ServerlessPublisher)
            else dag_file_name(result.location),
        )

    @strawberry.mutation(
        description="Pause the DAG and remove its file (on MWAA Serverless: delete the "
        "service's workflow)."
    )
    async def unpublish_workflow(self, info: Info, id: strawberry.ID) -> Workflow:
        principal = await info.context.principal()
        runtime = info.context.runtime
        with reaching_airflow():
            row = await info.context.db(
                publishing.unpublish,
                principal,
                runtime.target,
                str(id),
                runs.dag_pauser(runtime.airflow),
            )
        return Workflow.of(row)

    @strawberry.mutation(description="Save an earlier version's design as the newest version.")
    async def restore_version(self, info: Info, id: strawberry.ID, version: int) -> WorkflowVersion:
        principal = await info.context.principal()
        row = await info.context.db(workflows.restore_version, principal, str(id), version)
        return WorkflowVersion.of(row)

    @strawberry.mutation(description="Run the published version now.")
    async def trigger_run(self, info: Info, id: strawberry.ID, conf: JSON | None = None) -> Run:
        principal = await info.context.principal()
        runtime = info.context.runtime
        with reaching_airflow():
            row = await info.context.blocking(
                runs.trigger_run,
                runtime.sessions,
                principal,
                runtime.airflow,
                str(id),
                conf,
                parse_timeout=runtime.settings.dag_parse_timeout_seconds,
            )
        return Run.of(row)

    @strawberry.mutation(
        description="Stop a run: Airflow marks it failed and starts no more tasks."
    )
    async def cancel_run(self, info: Info, id: strawberry.ID) -> Run:
        principal = await info.context.principal()
        runtime = info.context.runtime
        with reaching_airflow():
            row = await info.context.blocking(
                runs.cancel_run, runtime.sessions, principal, runtime.airflow, str(id)
            )
        return Run.of(row)

    @strawberry.mutation(
        description="Run a finished run again from fromNode and every node after it (without "
        "fromNode: from each failed node), on the version the run ran."
    )
    async def retry_run(self, info: Info, id: strawberry.ID, from_node: str | None = None) -> Run:
        principal = await info.context.principal()
        runtime = info.context.runtime
        with reaching_airflow():
            row = await info.context.blocking(
                runs.retry_run, runtime.sessions, principal, runtime.airflow, str(id), from_node
            )
        return Run.of(row)

    @strawberry.mutation(description="Withdraw the DAG and delete the workflow (admin).")
    async def delete_workflow(self, info: Info, id: strawberry.ID) -> bool:
        principal = await info.context.principal()
        runtime = info.context.runtime
        with reaching_airflow():
            await info.context.db(
                publishing.delete_workflow,
                principal,
                runtime.target,
                str(id),
                runs.dag_pauser(runtime.airflow),
            )
        return True

    @strawberry.mutation(description="A new API token for your tenant, shown only now (admin).")
    async def create_api_token(self, info: Info, name: str, role: str) -> str:
        principal = await info.context.principal()
        principal.require(auth.Role.ADMIN)
        return await info.context.db(
            auth.create_token, tenant=principal.tenant, role=role, name=name
        )

    @strawberry.mutation(description="Revoke your tenant's tokens with this name (admin).")
    async def revoke_api_token(self, info: Info, name: str) -> int:
        principal = await info.context.principal()
        return await info.context.db(auth.revoke_token, principal, name)
