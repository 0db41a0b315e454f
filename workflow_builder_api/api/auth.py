"""``/auth``: people sign in with a user name and a password and get a token both services
accept (:mod:`servicekit.identity`); ``/auth/me`` says whom a token speaks for.

Wrong user name and wrong password answer the same 401, after about the same time (see
:mod:`workflow_builder_api.services.users`). Failed attempts are counted per user name and per
client address by the ``limits`` library; past ``AIRLOOM_BUILDER_LOGIN_RATE_LIMITS`` either
one answers 429 until its window moves on. Successful sign-ins are not counted.
"""

from __future__ import annotations

import math
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from pydantic import BaseModel, Field

from workflow_builder_api.core.db import transaction
from workflow_builder_api.graphql.context import Runtime
from workflow_builder_api.services.auth import authenticate
from workflow_builder_api.services.errors import Unauthenticated
from workflow_builder_api.services.users import check_password

WRONG_CREDENTIALS = "wrong user name or password"
router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)


class Token(BaseModel):
    access_token: str = Field(description="A JWT: send it as 'Authorization: Bearer <token>'")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")
    username: str
    tenant: str
    role: str


class Me(BaseModel):
    username: str = Field(description="The user, or the API token's name")
    tenant: str
    role: str
    expires_at: int | None = Field(
        description="Epoch seconds after which a sign-in token is refused (Studio signs the "
        "person out then); null for an API token"
    )


class FailedSignIns:
    """Failed sign-ins per user name and per client address, in this process's memory."""

    def __init__(self, limits: str) -> None:
        self.items: list[RateLimitItem] = parse_many(limits)
        self.strategy = MovingWindowRateLimiter(MemoryStorage())

    def check(self, *identities: str) -> None:
        """429 with Retry-After when any of ``identities`` has used up its failures."""
        for item in self.items:
            for identity in identities:
                if not self.strategy.test(item, "login", identity):
                    reset = self.strategy.get_window_stats(item, "login", identity).reset_time
                    retry_after = max(1, math.ceil(reset - time.time()))
                    raise HTTPException(
                        429,
                        f"too many failed sign-ins ({item}); try again in {retry_after} s",
                        headers={"Retry-After": str(retry_after)},
                    )

    def failed(self, *identities: str) -> None:
        for item in self.items:
            for identity in identities:
                self.strategy.hit(item, "login", identity)


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


@router.post(
    "/login",
    response_model=Token,
    summary="Sign in with a user name and a password",
    responses={
        401: {"description": "Wrong user name or password"},
        429: {"description": "Too many failed sign-ins"},
        503: {"description": "Password sign-in is not configured"},
    },
)
def login(body: Login, request: Request) -> Token:
    # A plain def: argon2 is deliberately slow, so it runs in a worker thread.
    runtime = _runtime(request)
    if not runtime.identities.can_issue:
        raise HTTPException(503, "password sign-in is off here: AIRLOOM_AUTH_SECRET is not set")
    failures: FailedSignIns = request.app.state.failed_sign_ins
    who = (
        f"user:{body.username.lower()}",
        f"client:{request.client.host if request.client else ''}",
    )
    failures.check(*who)
    with transaction(runtime.sessions) as session:
        user = check_password(session, body.username, body.password)
        found = (user.username, user.tenant, user.role) if user else None
    if found is None:
        failures.failed(*who)
        raise _unauthorized(WRONG_CREDENTIALS)
    username, tenant, role = found
    issued = runtime.identities.issue(username=username, tenant=tenant, role=role)
    return Token(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        username=username,
        tenant=tenant,
        role=role,
    )


@router.get(
    "/me",
    response_model=Me,
    summary="Whom the bearer token speaks for",
    responses={401: {"description": "No token, or one that is not accepted"}},
)
def me(request: Request, authorization: Annotated[str | None, Header()] = None) -> Me:
    runtime = _runtime(request)
    try:
        with transaction(runtime.sessions) as session:
            principal = authenticate(session, authorization, runtime.identities)
    except Unauthenticated as exc:
        raise _unauthorized(str(exc)) from None
    return Me(
        username=principal.name,
        tenant=principal.tenant,
        role=principal.role.name.lower(),
        expires_at=principal.expires_at,
    )
