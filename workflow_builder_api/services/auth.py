"""Who is calling: an API token (a tenant and a role each, stored only as servicekit's secret
hash; why that is enough: :mod:`servicekit.credentials`) or a sign-in token (a JWT carrying
tenant and role, :mod:`servicekit.identity`). Both become the same :class:`Principal`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Annotated

from pydantic import AfterValidator, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from airloom.tenancy import TENANT_PATTERN as _TENANT
from servicekit.bootstrap import BootstrapEntry
from servicekit.credentials import new_secret, secret_hash
from servicekit.identity import Identities, TokenRefused, looks_like_jwt
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
    """Who is calling: the API token's name or the signed-in user's, its tenant and its role."""

    name: str
    tenant: str
    role: Role
    # Epoch seconds after which a sign-in token is refused; None for an API token.
    expires_at: int | None = field(default=None, compare=False)

    def require(self, role: Role) -> None:
        if self.role < role:
            raise PermissionDenied(
                f"this needs the {role.name.lower()} role; your token has {self.role.name.lower()}"
            )


def _known_role(role: str) -> str:
    try:
        return role_name(role)
    except InvalidInput as exc:
        raise ValueError(str(exc)) from None


# A role's name in a bootstrap entry, checked and lower-cased; a bad one names the known roles.
RoleName = Annotated[str, AfterValidator(_known_role)]


class BootstrapToken(BootstrapEntry):
    """An entry of ``AIRLOOM_BUILDER_BOOTSTRAP_TOKENS``: a token to create at startup if missing."""

    token: str = Field(min_length=1, repr=False)
    tenant: str = Field(pattern=TENANT_PATTERN)
    role: RoleName
    name: str | None = Field(default=None, description="Default: <tenant>-<role>")


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


def authenticate(
    session: Session, authorization: str | None, identities: Identities | None = None
) -> Principal:
    """The principal of an ``Authorization: Bearer <token>`` value.

    A value shaped like a JWT is a sign-in token and is verified as one; anything else is
    looked up as an API token.
    """
    token = bearer_token(authorization)
    if looks_like_jwt(token):
        return signed_in(identities, token)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == secret_hash(token)))
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("unknown or revoked API token")
    return Principal(name=row.name, tenant=row.tenant, role=Role.parse(row.role))


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated(
            "send an API token or a sign-in token as 'Authorization: Bearer <token>'"
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def signed_in(identities: Identities | None, token: str) -> Principal:
    """The principal of a sign-in token: its user, tenant and role."""
    if identities is None:
        raise Unauthenticated("sign-in tokens are not accepted here; use an API token")
    try:
        person = identities.verify(token)
    except TokenRefused as exc:
        raise Unauthenticated(str(exc)) from None
    return Principal(
        name=person.username,
        tenant=person.tenant,
        role=Role.parse(person.role),
        expires_at=person.expires_at,
    )


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
