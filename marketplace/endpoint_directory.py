"""Endpoint name → the tenant and target holding it, for the prediction path.

One primary-key read of the ``endpoints`` table per name, then answered from memory until this
process deploys to, rolls back or deletes that endpoint (it forgets the name then), or ``ttl``
seconds pass: another replica may have changed it. The read runs in a worker thread, never on
the event loop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from marketplace.models import Endpoint

MAX_ENTRIES = 10_000  # a bound on memory; real endpoints are far fewer


@dataclass(frozen=True)
class Route:
    name: str
    tenant: str
    target: str
    model: str | None = None  # the registered model it serves, for activity


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
            route = (
                Route(row.name, row.tenant, row.target, row.model_name) if row is not None else None
            )
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
