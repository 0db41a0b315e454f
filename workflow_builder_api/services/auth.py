"""API tokens: a tenant and a role each, stored only as SHA-256 digests.

Tokens are 32 random bytes, so a fast digest is enough to make a leaked table useless (there
is nothing to brute-force, unlike passwords), and it lets a request find its token by index.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from enum import IntEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from airloom.tenancy import TENANT_PATTERN as _TENANT
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


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, *, tenant: str, role: str, name: str, token: str | None = None
) -> str:
    """Store a token and return it; this is the only time it can be read."""
    if not re.fullmatch(TENANT_PATTERN, tenant):
        raise InvalidInput(
            f"tenant {tenant!r} must start with a letter and use only lower-case letters, "
            "digits and '_' (at most 31)"
        )
    token = token or secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=digest(token), name=name, tenant=tenant, role=role_name(role)))
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
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token.strip())))
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


def bootstrap_tokens(session: Session, tokens_json: str) -> int:
    """Create the tokens of ``AIRLOOM_BUILDER_BOOTSTRAP_TOKENS`` that do not exist yet.

    The value is a JSON list of ``{"token", "tenant", "role", "name"?}``; the number created.
    """
    try:
        entries = json.loads(tokens_json)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"AIRLOOM_BUILDER_BOOTSTRAP_TOKENS is not JSON: {exc}") from exc
    if not isinstance(entries, list):
        raise InvalidInput("AIRLOOM_BUILDER_BOOTSTRAP_TOKENS must be a JSON list")
    created = 0
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not {"token", "tenant", "role"} <= set(entry):
            raise InvalidInput(
                f"AIRLOOM_BUILDER_BOOTSTRAP_TOKENS[{index}] needs token, tenant and role"
            )
        token = str(entry["token"])
        if session.scalar(select(ApiToken.id).where(ApiToken.token_hash == digest(token))):
            continue
        name = str(entry.get("name") or f"{entry['tenant']}-{entry['role']}")
        create_token(session, tenant=entry["tenant"], role=entry["role"], name=name, token=token)
        created += 1
    return created
