"""The workflow builder's FastAPI app: `uvicorn workflow_builder_api.main:app`."""

from __future__ import annotations

from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter

import airloom
from servicekit import create_service_app
from workflow_builder_api.core.config import get_settings
from workflow_builder_api.schema import schema


def create_app() -> FastAPI:
    settings = get_settings()
    app = create_service_app(
        name="workflow-builder",
        title="Airloom workflow builder",
        version=airloom.__version__,
        description="Design workflows as graphs and run them as Airflow DAGs.",
        log_level=settings.log_level,
    )
    app.include_router(
        GraphQLRouter(schema, graphql_ide="graphiql" if settings.graphiql else None),
        prefix="/graphql",
    )
    return app


app = create_app()
