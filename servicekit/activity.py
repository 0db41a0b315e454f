"""``api_call`` activity: one event per request that carried an API key or a sign-in token.

The route's authentication says who called (:func:`record_caller`, once it knows the key's
tenant and tier, before a rate limit can refuse the request); :class:`ApiCallActivity`, an
ASGI middleware, sends the event when the response starts, with the route *template* the
router matched (``/api/v1/models/{name}``, never the raw path, which holds names and ids), the
method and the status (429: rate limited). Sending only queues the event (see
:mod:`airloom.activity.producer`): the request never waits for Kafka.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airloom.activity.events import ApiCallEvent
from airloom.activity.producer import emit_new

CALLER = "airloom_caller"
UNMATCHED_ROUTE = "(no route)"


@dataclass(frozen=True)
class Caller:
    tenant: str
    tier: str | None = None


def record_caller(connection: HTTPConnection, tenant: str, tier: str | None = None) -> None:
    """Say whose request this is, for its ``api_call`` event."""
    setattr(connection.state, CALLER, Caller(tenant, tier))


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or UNMATCHED_ROUTE


class ApiCallActivity:
    """Send an ``api_call`` event for each HTTP request whose caller was recorded.

    :param service: ``marketplace`` or ``builder``: the event's source and service.
    """

    def __init__(self, app: ASGIApp, service: Literal["marketplace", "builder"]) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the app fails before it answers

        async def answering(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, answering)
        finally:
            self._record(scope, status)

    def _record(self, scope: Scope, status: int) -> None:
        state: dict[str, Any] = scope.get("state") or {}
        caller = state.get(CALLER)
        if not isinstance(caller, Caller):
            return  # no key or token was accepted: nobody to attribute the call to
        emit_new(
            ApiCallEvent,
            tenant=caller.tenant,
            source=self.service,
            service=self.service,
            route=route_template(scope),
            method=scope["method"],
            status=status,
            tier=caller.tier,
            rate_limited=status == 429,
        )
