"""Build the workflow builder's FastAPI app: GraphQL at ``/graphql``, sign-in at ``/auth``,
plus health and metrics.

At startup (lifespan), before it serves, the app migrates its store with servicekit's runner
(a store already current is left alone; off with ``AIRLOOM_BUILDER_MIGRATE_ON_STARTUP=false``),
creates the bootstrap tokens and users, and brings older published workflows up to date.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

import airloom
from servicekit import create_service_app
from servicekit.activity import ApiCallActivity
from servicekit.airflow_client import AirflowClient, airflow_client
from servicekit.body_guard import BodyGuard
from servicekit.identity import Identities
from workflow_builder_api.api import auth as auth_routes
from workflow_builder_api.core.config import Settings, get_settings
from workflow_builder_api.core.db import MIGRATIONS, make_engine, session_factory, transaction
from workflow_builder_api.graphql.context import BuilderContext, Runtime
from workflow_builder_api.graphql.schema import build_schema
from workflow_builder_api.services.auth import bootstrap_tokens
from workflow_builder_api.services.publishing import Target, publish_target
from workflow_builder_api.services.serverless.client import (
    ServerlessAirflowClient,
    published_arns,
)
from workflow_builder_api.services.serverless.publisher import (
    ServerlessPublisher,
    serverless_client,
)
from workflow_builder_api.services.templates import load_templates
from workflow_builder_api.services.upgrade import move_into_repository, upgrade_published_workflows
from workflow_builder_api.services.users import bootstrap_users
from workflow_builder_api.studio import mount_studio


def create_runtime(
    settings: Settings,
    *,
    airflow_factory: Callable[[], AirflowClient] | None = None,
    target: Target | None = None,
) -> Runtime:
    """The store's sessions, the publish target and templates; the store is not touched until
    :func:`prepare_store` runs in the app's lifespan. On MWAA Serverless
    (``AIRLOOM_BUILDER_PUBLISH_TARGET``) runs go through the service's API, not Airflow's."""
    sessions = session_factory(make_engine(settings.database_url))
    if settings.publish_target == "mwaa_serverless":
        target = target or ServerlessPublisher.from_settings(settings)
        airflow_factory = airflow_factory or partial(serverless_runs, settings, sessions)
    target = target or publish_target(
        settings.dags_folder,
        repository=settings.dags_repository,
        endpoint_url=settings.aws_endpoint_url,
        region=settings.aws_region,
    )
    return Runtime(
        settings=settings,
        sessions=sessions,
        target=target,
        templates=load_templates(settings.templates_folder),
        airflow_factory=airflow_factory or airflow_client,
        identities=Identities(settings.identity),
    )


def serverless_runs(settings: Settings, sessions: sessionmaker[Session]) -> AirflowClient:
    """The run operations on MWAA Serverless, for the workflows this builder published."""
    return ServerlessAirflowClient(
        serverless_client(settings),
        published_arns(sessions),
        region=settings.aws_region,
        log_group=settings.serverless_log_group,
    )


def prepare_store(runtime: Runtime) -> None:
    """Migrate the store, create the bootstrap tokens and users, upgrade older published
    workflows."""
    settings, sessions = runtime.settings, runtime.sessions
    if settings.migrate_on_startup:
        MIGRATIONS.upgrade(sessions.kw["bind"])
    with transaction(sessions) as session:
        bootstrap_tokens(session, settings.bootstrap_tokens)
        bootstrap_users(session, settings.bootstrap_users)
    if isinstance(runtime.target, ServerlessPublisher):
        return  # the upgrades below move and rewrite DAG files, which this target never has
    with transaction(sessions) as session:
        upgrade_published_workflows(session, runtime.target, settings)
        move_into_repository(session, runtime.target)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The app does not serve before its store is current.
    await asyncio.to_thread(prepare_store, app.state.runtime)
    yield


def graphql_refusal(status: int, _code: str, message: str) -> dict[str, Any]:
    """The body guard's 413 or 422 as a GraphQL response: one error with an extensions code."""
    code = "PAYLOAD_TOO_LARGE" if status == 413 else "INVALID_INPUT"
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or (runtime.settings if runtime else get_settings())
    runtime = runtime or create_runtime(settings)

    def database() -> None:
        with runtime.sessions() as session:
            session.execute(text("SELECT 1"))

    app = create_service_app(
        name="workflow-builder",
        title="Airloom workflow builder",
        version=airloom.__version__,
        description="Design workflows as graphs and run them as Airflow DAGs.",
        checks={"database": database},
        log_level=settings.log_level,
    )
    # One api_call activity event per request with a token (servicekit.activity).
    app.add_middleware(ApiCallActivity, service="builder")
    app.add_middleware(
        BodyGuard,
        max_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
        render=graphql_refusal,
    )

    async def context() -> BuilderContext:
        return BuilderContext(runtime)

    app.include_router(
        GraphQLRouter(
            build_schema(settings),
            context_getter=context,
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        ),
        prefix="/graphql",
    )
    app.include_router(auth_routes.router)
    app.state.failed_sign_ins = auth_routes.FailedSignIns(settings.login_rate_limits)
    mount_studio(app, settings)  # the web app, under /studio/
    app.state.runtime = runtime
    app.router.lifespan_context = _lifespan
    return app
