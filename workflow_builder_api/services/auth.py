"""API tokens: a tenant and a role each, stored only as servicekit's secret hash (why that
is enough: :mod:`servicekit.credentials`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from pydantic import Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from airloom.tenancy import TENANT_PATTERN as _TENANT
from servicekit.bootstrap import BootstrapEntry
from servicekit.credentials import new_secret, secret_hash
from workflow_builder_api.models import ApiToken, utcnow
from workflow_builder_api.services.errors import (
    InvalidInput,
    PermissionDenied,
    Unauthenticated,
)

TENANT_PATTERN = _TENANT.pattern  # part of DAG ids, file names, lake folders and topics


class Role(IntEnum):
    """Each role can do everything the roles below it can."""

    VIEWER = 1  # read workflows, versions, runs, and what the tenant was granted
    EDITOR = 2  # create, update, validate, publish, trigger, cancel
    ADMIN = 3  # delete workflows, manage the tenant's tokens
    PLATFORM = 4  # the platform's operators: grant connections, locations, topics; set quotas

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name.upper()]
        except KeyError:
            raise InvalidInput(
                f"unknown role {name!r}; roles: {', '.join(r.name.lower() for r in cls)}"
            ) from None


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's name, its tenant and its role."""

    name: str
    tenant: str
    role: Role

    def require(self, role: Role) -> None:
        if self.role < role:
            raise PermissionDenied(
                f"this needs the {role.name.lower()} role; your token has {self.role.name.lower()}"
            )


class BootstrapToken(BootstrapEntry):
    """An entry of ``AIRLOOM_BUILDER_BOOTSTRAP_TOKENS``: a token to create at startup if missing."""

    token: str = Field(min_length=1, repr=False)
    tenant: str = Field(pattern=TENANT_PATTERN)
    role: str
    name: str | None = Field(default=None, description="Default: <tenant>-<role>")

    @field_validator("role")
    @classmethod
    def _known_role(cls, role: str) -> str:
        try:
            return role_name(role)
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None


def create_token(
    session: Session, *, tenant: str, role: str, name: str, token: str | None = None
) -> str:
    """Store a token and return it; this is the only time it can be read."""
    if not re.fullmatch(TENANT_PATTERN, tenant):
        raise InvalidInput(
            f"tenant {tenant!r} must start with a letter and use only lower-case letters, "
            "digits and '_' (at most 31)"
        )
    token = token or new_secret()
    session.add(
        ApiToken(token_hash=secret_hash(token), name=name, tenant=tenant, role=role_name(role))
    )
    session.flush()
    return token


def role_name(role: str) -> str:
    return Role.parse(role).name.lower()


def authenticate(session: Session, authorization: str | None) -> Principal:
    """The principal of an ``Authorization: Bearer <token>`` value."""
    if not authorization:
        raise Unauthenticated("send an API token as 'Authorization: Bearer <token>'")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == secret_hash(token.strip())))
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("unknown or revoked API token")
    return Principal(name=row.name, tenant=row.tenant, role=Role.parse(row.role))


def revoke_token(session: Session, principal: Principal, token_name: str) -> int:
    """Revoke the tenant's tokens called ``token_name``; the number revoked."""
    principal.require(Role.ADMIN)
    rows = session.scalars(
        select(ApiToken).where(
            ApiToken.tenant == principal.tenant,
            ApiToken.name == token_name,
            ApiToken.revoked_at.is_(None),
        )
    ).all()
    for row in rows:
        row.revoked_at = utcnow()
    return len(rows)


def bootstrap_tokens(session: Session, tokens: list[BootstrapToken]) -> int:
    """Create the bootstrap tokens that do not exist yet; the number created.

    A revoked token stays revoked: its row exists, so it is not created again.
    """
    created = 0
    for entry in tokens:
        if session.scalar(
            select(ApiToken.id).where(ApiToken.token_hash == secret_hash(entry.token))
        ):
            continue
        name = entry.name or f"{entry.tenant}-{entry.role}"
        create_token(session, tenant=entry.tenant, role=entry.role, name=name, token=entry.token)
        created += 1
    return created
