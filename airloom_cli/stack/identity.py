"""Signing in on the local stack: the secret both services sign and check tokens with, and
the Studio users `airloom up` creates.

Both are generated once and kept in the state folder, so tokens and passwords survive
``down``/``up``. The users are recorded in ``credentials.json`` under ``studio_users``
(``{"admin": {"password": …, "tenant": "default", "role": "admin"}, …}``): the local admin, and
one user per token given in ``AIRLOOM_BUILDER_BOOTSTRAP_TOKENS``, named ``<tenant>-<role>``
like the token, with that tenant and role.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from airloom_cli.stack.airflow_setup import service_credentials
from airloom_cli.stack.settings import StackSettings

STUDIO_ADMIN = "admin"
StudioUsers = dict[str, dict[str, str]]


def auth_secret(settings: StackSettings) -> str:
    """``AIRLOOM_AUTH_SECRET`` of both services, generated on first use."""
    path = settings.state_dir / "auth.json"
    if path.exists():
        return json.loads(path.read_text())["secret"]
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(json.dumps({"secret": secret}))
    path.chmod(0o600)
    return secret


def studio_users(
    settings: StackSettings, local_tenant: str, builder_tokens: Iterable[Mapping[str, Any]]
) -> StudioUsers:
    """The stack's Studio users, each with its password: those missing are added to
    ``credentials.json``, and a user whose token changed role gets the new role."""
    from workflow_builder_api.services.auth import role_name

    path = settings.state_dir / "credentials.json"
    credentials = dict(service_credentials(settings))  # the file, created if missing
    users: StudioUsers = dict(credentials.get("studio_users", {}))
    wanted = {STUDIO_ADMIN: (local_tenant, "admin")}
    for token in builder_tokens:
        role = role_name(token["role"])
        wanted.setdefault(f"{token['tenant']}-{role}", (token["tenant"], role))
    changed = False
    for username, (tenant, role) in wanted.items():
        known = users.get(username, {})
        if (known.get("tenant"), known.get("role")) != (tenant, role) or not known.get("password"):
            password = known.get("password") or secrets.token_urlsafe(12)
            users[username] = {"password": password, "tenant": tenant, "role": role}
            changed = True
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(credentials | {"studio_users": users}, indent=2))
        path.chmod(0o600)
    return users


def bootstrap_users(users: StudioUsers) -> list[dict[str, str]]:
    """The users as ``AIRLOOM_BUILDER_BOOTSTRAP_USERS`` entries."""
    return [{"username": name, **entry} for name, entry in users.items()]
