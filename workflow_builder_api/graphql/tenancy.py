"""Grants and quotas: what a tenant may use beyond its own area, and how much it may run.

A tenant's people read their own; platform admins (role ``platform``) read and change any
tenant's. Revoking a grant republishes the tenant's published workflows in the narrower scope,
and withdraws any that needed it, so a revocation takes effect at once.
"""

from __future__ import annotations

import re
from datetime import datetime

import strawberry

from airloom.tenancy import TenantLimits
from workflow_builder_api import models
from workflow_builder_api.graphql.types import Info, Problem, Workflow
from workflow_builder_api.services import publishing, runs, tenants
from workflow_builder_api.services.errors import NotFound

GRANT_ID = re.compile(r"[0-9]{1,18}")


@strawberry.type(description="Something outside its own area a tenant's workflows may use.")
class Grant:
    id: strawberry.ID
    tenant: str
    kind: str = strawberry.field(description="connection, s3 or topic.")
    name: str = strawberry.field(
        description="The connection id, the s3://bucket/prefix/ location, or the topic."
    )
    connection_id: str | None = strawberry.field(
        description="s3: the Airflow connection that reads the location."
    )
    granted_by: str
    created_at: datetime

    @classmethod
    def of(cls, row: models.Grant) -> Grant:
        return cls(
            id=strawberry.ID(str(row.id)),
            tenant=row.tenant,
            kind=row.kind,
            name=row.name,
            connection_id=row.connection_id,
            granted_by=row.granted_by,
            created_at=row.created_at,
        )


@strawberry.type(description="How often and how much a tenant's workflows may run.")
class Quota:
    tenant: str
    min_schedule_minutes: int
    max_active_runs: int = strawberry.field(description="Runs of one workflow at a time.")
    max_published_workflows: int

    @classmethod
    def of(cls, tenant: str, limits: TenantLimits) -> Quota:
        return cls(
            tenant=tenant,
            min_schedule_minutes=limits.min_schedule_minutes,
            max_active_runs=limits.max_active_runs,
            max_published_workflows=limits.max_published_workflows,
        )


@strawberry.input
class GrantInput:
    tenant: str
    kind: str = strawberry.field(description="connection, s3 or topic.")
    name: str
    connection_id: str | None = None


@strawberry.input
class QuotaInput:
    tenant: str
    min_schedule_minutes: int
    max_active_runs: int
    max_published_workflows: int


@strawberry.type
class Withdrawn:
    workflow: Workflow
    problems: list[Problem]


@strawberry.type(description="A revoked grant and what it meant for published workflows.")
class Revocation:
    grant: Grant
    republished: list[Workflow]
    withdrawn: list[Withdrawn] = strawberry.field(
        description="Published workflows that needed the grant: unpublished, with why."
    )


@strawberry.type
class TenancyQuery:
    @strawberry.field(description="A tenant's grants: your own, or any (platform admins).")
    async def grants(self, info: Info, tenant: str | None = None) -> list[Grant]:
        principal = await info.context.principal()
        rows = await info.context.db(tenants.list_grants, principal, tenant)
        return [Grant.of(row) for row in rows]

    @strawberry.field(description="A tenant's quota: your own, or any (platform admins).")
    async def quota(self, info: Info, tenant: str | None = None) -> Quota:
        principal = await info.context.principal()
        settings = info.context.settings

        def read(session, principal):  # type: ignore[no-untyped-def]
            chosen = tenants.check_tenant(principal, tenant)
            return chosen, tenants.limits_of(session, chosen, settings)

        chosen, limits = await info.context.db(read, principal)
        return Quota.of(chosen, limits)


@strawberry.type
class TenancyMutation:
    @strawberry.mutation(description="Grant a tenant a connection, S3 location or topic.")
    async def grant(self, info: Info, input: GrantInput) -> Grant:
        principal = await info.context.principal()
        row = await info.context.db(
            tenants.add_grant,
            principal,
            tenant=input.tenant,
            kind=input.kind,
            name=input.name,
            connection_id=input.connection_id,
        )
        return Grant.of(row)

    @strawberry.mutation(
        description="Revoke a grant; the tenant's published workflows are republished without "
        "it, and those that needed it are withdrawn."
    )
    async def revoke_grant(self, info: Info, id: strawberry.ID) -> Revocation:
        principal = await info.context.principal()
        runtime = info.context.runtime
        if not GRANT_ID.fullmatch(str(id)):  # ASCII digits a database integer holds
            raise NotFound(f"no grant {id!r}")

        def revoke(session, principal):  # type: ignore[no-untyped-def]
            grant = tenants.remove_grant(session, principal, int(str(id)))
            results = publishing.republish_tenant(
                session,
                runtime.target,
                grant.tenant,
                runtime.settings,
                runs.dag_pauser(runtime.airflow),
            )
            return grant, results

        grant, results = await info.context.db(revoke, principal)
        return Revocation(
            grant=Grant.of(grant),
            republished=[Workflow.of(r.workflow) for r in results if r.published],
            withdrawn=[
                Withdrawn(
                    workflow=Workflow.of(r.workflow),
                    problems=[Problem.of(problem) for problem in r.problems],
                )
                for r in results
                if not r.published
            ],
        )

    @strawberry.mutation(description="Set a tenant's quota; it applies to its next publications.")
    async def set_quota(self, info: Info, input: QuotaInput) -> Quota:
        principal = await info.context.principal()
        limits = TenantLimits(
            min_schedule_minutes=input.min_schedule_minutes,
            max_active_runs=input.max_active_runs,
            max_published_workflows=input.max_published_workflows,
        )
        await info.context.db(tenants.set_limits, principal, input.tenant, limits)
        return Quota.of(input.tenant, limits)
