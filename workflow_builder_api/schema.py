"""The GraphQL schema of the workflow builder."""

from __future__ import annotations

import strawberry

import airloom


@strawberry.type
class ServiceInfo:
    service: str
    version: str


@strawberry.type
class Query:
    @strawberry.field(description="Which builder answers and its version.")
    def service_info(self) -> ServiceInfo:
        return ServiceInfo(service="airloom-workflow-builder", version=airloom.__version__)


schema = strawberry.Schema(query=Query)
