"""Per-request context: who is calling (from the bearer token: an API token or a sign-in
token), the store, Airflow, loaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from airloom.tenancy import TenantScope
from servicekit.activity import record_caller
from servicekit.airflow_client import AirflowClient
from servicekit.identity import Identities
from workflow_builder_api.core.config import Settings
from workflow_builder_api.core.db import transaction
from workflow_builder_api.graphql.airflow_errors import reaching_airflow
from workflow_builder_api.models import Run, Workflow, WorkflowVersion
from workflow_builder_api.services import run_history, runs, tenants, workflows
from workflow_builder_api.services.auth import Principal, authenticate
from workflow_builder_api.services.publishing import Target
from workflow_builder_api.services.runs import RunStatus
from workflow_builder_api.services.templates import Template

T = TypeVar("T")
RUNS_PER_WORKFLOW = 20


@dataclass
class Runtime:
    """What lives as long as the app: settings, the store, the publish target, Airflow, and
    what verifies sign-in tokens."""

    settings: Settings
    sessions: sessionmaker[Session]
    target: Target
    templates: dict[str, Template]
    airflow_factory: Callable[[], AirflowClient]
    identities: Identities
    _airflow: AirflowClient | None = field(default=None, repr=False)

    @property
    def airflow(self) -> AirflowClient:
        if self._airflow is None:
            self._airflow = self.airflow_factory()
        return self._airflow


class BuilderContext(BaseContext):
    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime
        self._principal: Principal | None = None
        self._scope: TenantScope | None = None
        self.versions = DataLoader(load_fn=self._load_versions)
        self.runs = DataLoader(load_fn=self._load_runs)
        self.workflows = DataLoader(load_fn=self._load_workflows)
        # A run's state, times and nodes come from one Airflow round trip per request.
        self.statuses = DataLoader(load_fn=self._load_statuses)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def _authorization(self) -> str | None:
        # Browsers cannot set headers on a websocket: graphql-transport-ws clients may send the
        # same value in the connection_init payload instead.
        params = self.connection_params if isinstance(self.connection_params, dict) else {}
        from_params = params.get("Authorization") or params.get("authorization")
        if self.request is not None and (header := self.request.headers.get("authorization")):
            return header
        return from_params

    async def principal(self) -> Principal:
        if self._principal is None:
            authorization = self._authorization()
            identities = self.runtime.identities
            self._principal = await self.db(authenticate, authorization, identities)
            if self.request is not None and self.request.scope["type"] == "http":
                record_caller(self.request, self._principal.tenant)  # its api_call event
        return self._principal

    async def tenant_scope(self) -> TenantScope:
        """The caller's tenant's scope (grants, quotas, model registry), read once a request."""
        if self._scope is None:
            principal = await self.principal()
            self._scope = await self.db(tenants.scope_for, principal.tenant, self.settings)
        return self._scope

    async def db(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``function(session, ...)`` in one transaction, in a worker thread."""
        return await run_in_threadpool(partial(self._in_transaction, function, *args, **kwargs))

    async def blocking(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call (Airflow, DagBag) off the event loop."""
        return await run_in_threadpool(partial(function, *args, **kwargs))

    def _in_transaction(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with transaction(self.runtime.sessions) as session:
            return function(session, *args, **kwargs)

    async def _load_versions(self, workflow_ids: list[str]) -> list[list[WorkflowVersion]]:
        found = await self.db(workflows.versions_of, workflow_ids)
        return [found[workflow_id] for workflow_id in workflow_ids]

    async def _load_workflows(self, workflow_ids: list[str]) -> list[Workflow]:
        principal = await self.principal()
        found = await self.db(workflows.workflows_by_id, principal, workflow_ids)
        return [found[workflow_id] for workflow_id in workflow_ids]

    async def _load_runs(self, workflow_ids: list[str]) -> list[list[Run]]:
        airflow = self.runtime.airflow
        found = await self.db(run_history.newest_runs_of, airflow, workflow_ids, RUNS_PER_WORKFLOW)
        return [found[workflow_id] for workflow_id in workflow_ids]

    async def _load_statuses(self, run_ids: list[str]) -> list[RunStatus]:
        with reaching_airflow():
            return await self.db(self._statuses, run_ids)

    def _statuses(self, session: Session, run_ids: list[str]) -> list[RunStatus]:
        airflow = self.runtime.airflow
        return [runs.run_status(session, airflow, session.get(Run, run_id)) for run_id in run_ids]
