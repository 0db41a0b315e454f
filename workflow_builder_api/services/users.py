"""Local users: people who sign in to Airloom Studio with a user name and a password.

Passwords are kept only as argon2id hashes (argon2-cffi's defaults, RFC 9106's low-memory
profile). A sign-in with an unknown user name still verifies a password against a dummy hash,
so both failures take about as long and answer the same.
"""

from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicekit.bootstrap import BootstrapEntry
from workflow_builder_api.models import User
from workflow_builder_api.services.auth import TENANT_PATTERN, RoleName, role_name
from workflow_builder_api.services.errors import InvalidInput

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,149}$"
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


class BootstrapUser(BootstrapEntry):
    """An entry of ``AIRLOOM_BUILDER_BOOTSTRAP_USERS``: a Studio user created or refreshed at
    startup (its tenant, role and password are set again each time)."""

    username: str = Field(pattern=USERNAME_PATTERN)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, repr=False)
    tenant: str = Field(pattern=TENANT_PATTERN)
    role: RoleName


def save_user(session: Session, *, username: str, password: str, tenant: str, role: str) -> User:
    """Create the user, or set the tenant, role and password of the one of that name."""
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise InvalidInput(
            f"user name {username!r} must start with a letter or digit and use only letters, "
            "digits and . _ @ + - (at most 150)"
        )
    if not re.fullmatch(TENANT_PATTERN, tenant):
        raise InvalidInput(f"tenant {tenant!r} is not a valid tenant name")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username)
        session.add(user)
    elif _matches(user.password_hash, password):
        password = ""  # unchanged: keep the hash rather than spend another argon2 round
    user.tenant, user.role, user.disabled = tenant, role_name(role), False
    if password:
        user.password_hash = _hasher.hash(password)
    session.flush()
    return user


def bootstrap_users(session: Session, users: list[BootstrapUser]) -> int:
    """Create or refresh the bootstrap users; the number given."""
    for entry in users:
        save_user(
            session,
            username=entry.username,
            password=entry.password,
            tenant=entry.tenant,
            role=entry.role,
        )
    return len(users)


def check_password(session: Session, username: str, password: str) -> User | None:
    """The user if the password is theirs and they are not disabled; otherwise None."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        _matches(_dummy_hash(), password)  # as slow as a real check: names are not revealed
        return None
    if not _matches(user.password_hash, password) or user.disabled:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not anyone's password")
