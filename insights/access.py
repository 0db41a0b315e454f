"""Who is calling: an API token (stored only as servicekit's digest, with a tenant and a role)
or a sign-in token (a JWT the builder or the OIDC provider signed, carrying tenant and role:
:mod:`servicekit.identity`). Both become a :class:`Caller`; every route answers for the
caller's tenant only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from insights.core.config import ROLES, BootstrapToken
from insights.errors import Forbidden, Unauthorized
from insights.models import ApiToken
from servicekit.credentials import new_secret, secret_hash
from servicekit.identity import Identities, TokenRefused, looks_like_jwt

TOKEN_PREFIX = "ali_"


@dataclass(frozen=True)
class Caller:
    name: str
    tenant: str
    role: str

    def require(self, role: str, action: str) -> None:
        if ROLES.index(self.role) < ROLES.index(role):
            raise Forbidden(f"{action} needs the {role} role; you have {self.role}")


def create_token(
    session: Session, *, tenant: str, role: str, name: str, token: str | None = None
) -> str:
    """Store a token and return it; this is the only time it can be read."""
    token = token or new_secret(TOKEN_PREFIX)
    session.add(ApiToken(token_hash=secret_hash(token), name=name, tenant=tenant, role=role))
    session.flush()
    return token


def ensure_bootstrap_tokens(session: Session, tokens: list[BootstrapToken]) -> None:
    """Create the configured tokens that do not exist yet (idempotent across restarts)."""
    for item in tokens:
        found = session.scalar(
            select(ApiToken).where(ApiToken.token_hash == secret_hash(item.token))
        )
        if found is None:
            name = item.name or f"{item.tenant}-{item.role}"
            create_token(session, tenant=item.tenant, role=item.role, name=name, token=item.token)
    session.commit()


def authenticate(session: Session, presented: str, identities: Identities) -> Caller:
    """The caller a bearer token speaks for; :class:`Unauthorized` saying why not."""
    if looks_like_jwt(presented):
        try:
            person = identities.verify(presented)
        except TokenRefused as exc:
            raise Unauthorized(str(exc)) from None
        return Caller(name=person.username, tenant=person.tenant, role=person.role)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == secret_hash(presented)))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("the API token is unknown or has been revoked")
    return Caller(name=row.name, tenant=row.tenant, role=row.role)
