"""Endpoint name → the tenant and target holding it, and the model version it serves, for the
prediction path.

One primary-key read of the ``endpoints`` table per name (and one indexed read of its
deployment runs, for the version), then answered from memory until this
process deploys to, rolls back or deletes that endpoint (it forgets the name then), or ``ttl``
seconds pass: another replica may have changed it. The read runs in a worker thread, never on
the event loop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from marketplace.models import DEPLOYMENT_RUN, CheckRun, Endpoint

MAX_ENTRIES = 10_000  # a bound on memory; real endpoints are far fewer
# Runs looked at for the version served: past a few failed ones in a row, nobody knows better.
RECENT_RUNS = 20


@dataclass(frozen=True)
class Route:
    name: str
    tenant: str
    target: str
    model: str | None = None  # the registered model it serves, for activity
    model_version: int | None = None  # and its version (see served_by)


class EndpointDirectory:
    def __init__(self, sessions: sessionmaker[Session], ttl: float = 5.0) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._routes: dict[str, tuple[float, Route]] = {}

    async def resolve(self, name: str) -> Route | None:
        """Where ``name`` is served and for whom; None for an endpoint nobody holds."""
        cached = self._routes.get(name)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        return await run_in_threadpool(self.load, name)

    def load(self, name: str) -> Route | None:
        with self._sessions() as session:
            row = session.get(Endpoint, name)
            route = None
            if row is not None:
                model, version = served_by(session, row)
                route = Route(row.name, row.tenant, row.target, model, version)
        if route is None:
            self._routes.pop(name, None)
            return None
        if len(self._routes) >= MAX_ENTRIES:
            self._routes.pop(next(iter(self._routes)), None)
        self._routes[name] = (time.monotonic() + self._ttl, route)
        return route

    def forget(self, name: str) -> None:
        """Called when this process changes who holds ``name`` or where it is served."""
        self._routes.pop(name, None)


def served_by(session: Session, row: Endpoint) -> tuple[str, int | None]:
    """The model and version ``row``'s endpoint serves: those of its newest deploy or rollback
    run of the holding tenant not known to have failed (a failed run put the earlier version
    back, or changed nothing). A run still going, or ended without anybody reading its status
    yet, counts as serving: deployments mostly succeed, and the marketplace learns of a failure
    at the next status read or claim of the endpoint."""
    runs = session.execute(
        select(CheckRun.model_name, CheckRun.version, CheckRun.state, CheckRun.outcome)
        .where(
            CheckRun.endpoint == row.name,
            CheckRun.kind == DEPLOYMENT_RUN,
            CheckRun.tenant == row.tenant,
        )
        .order_by(CheckRun.created_at.desc(), CheckRun.id.desc())
        .limit(RECENT_RUNS)
    )
    for model, version, state, outcome in runs:
        if state != "failed" and (outcome or {}).get("phase") != "failed":
            return model, version
    return row.model_name, None
