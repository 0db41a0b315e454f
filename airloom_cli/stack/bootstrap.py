"""The tenants a fresh local stack starts with, from the bootstrap variables `airloom up` reads.

``AIRLOOM_BUILDER_BOOTSTRAP_TOKENS`` and ``AIRLOOM_MARKETPLACE_BOOTSTRAP_KEYS`` are the two
services' own variables: entries given in the environment `airloom up` runs in are passed on
beside the stack's local-admin token and key. ``AIRLOOM_AIRFLOW_BOOTSTRAP_USERS`` adds Airflow
UI users, each bound to its tenant's viewer or editor role, and ``AIRLOOM_BUILDER_BOOTSTRAP_USERS``
Studio users beside the stack's own (:mod:`airloom_cli.stack.identity`). All four are checked
before anything starts, so a malformed value stops `airloom up` at once, naming the variable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from airloom.tenancy import TENANT_PATTERN
from servicekit.bootstrap import BootstrapEntry, BootstrapError, parse_bootstrap

BUILDER_TOKENS = "AIRLOOM_BUILDER_BOOTSTRAP_TOKENS"
MARKETPLACE_KEYS = "AIRLOOM_MARKETPLACE_BOOTSTRAP_KEYS"
AIRFLOW_USERS = "AIRLOOM_AIRFLOW_BOOTSTRAP_USERS"
STUDIO_USERS = "AIRLOOM_BUILDER_BOOTSTRAP_USERS"

__all__ = ["AirflowUser", "Bootstrap", "BootstrapError", "read_bootstrap"]


class AirflowUser(BootstrapEntry):
    """An Airflow UI login that sees only its tenant's workflow DAGs."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, repr=False)
    tenant: str = Field(pattern=TENANT_PATTERN.pattern)
    role: Literal["viewer", "editor"]


@dataclass(frozen=True)
class Bootstrap:
    """The entries given in the environment, checked; each list as the user wrote it."""

    builder_tokens: tuple[dict[str, Any], ...] = ()
    marketplace_keys: tuple[dict[str, Any], ...] = ()
    airflow_users: tuple[AirflowUser, ...] = ()
    studio_users: tuple[dict[str, Any], ...] = ()

    def tenants(self) -> set[str]:
        """Tenants that may publish workflows or log in to Airflow: each needs its roles."""
        tokens = {entry["tenant"] for entry in self.builder_tokens}
        return tokens | {user.tenant for user in self.airflow_users}


def read_bootstrap(environ: Mapping[str, str], *, reserved_users: set[str]) -> Bootstrap:
    """The four variables of ``environ``; raises BootstrapError naming a malformed one.

    :param reserved_users: Airflow and Studio usernames the stack keeps for itself (its admin).
    """
    from marketplace.core.config import BootstrapKey
    from workflow_builder_api.services.auth import BootstrapToken
    from workflow_builder_api.services.users import BootstrapUser

    tokens = parse_bootstrap(BUILDER_TOKENS, environ.get(BUILDER_TOKENS), BootstrapToken)
    keys = parse_bootstrap(MARKETPLACE_KEYS, environ.get(MARKETPLACE_KEYS), BootstrapKey)
    users = parse_bootstrap(AIRFLOW_USERS, environ.get(AIRFLOW_USERS), AirflowUser)
    seen: set[str] = set()
    for index, user in enumerate(users):
        if user.username in reserved_users or user.username in seen:
            taken = "is the stack's own" if user.username in reserved_users else "appears twice"
            raise BootstrapError(f"{AIRFLOW_USERS}[{index}].username {user.username!r} {taken}")
        seen.add(user.username)
    studio = parse_bootstrap(STUDIO_USERS, environ.get(STUDIO_USERS), BootstrapUser)
    for index, person in enumerate(studio):
        if person.username in reserved_users:
            raise BootstrapError(
                f"{STUDIO_USERS}[{index}].username {person.username!r} is the stack's own"
            )
    return Bootstrap(
        builder_tokens=tuple(json.loads(environ[BUILDER_TOKENS])) if tokens else (),
        marketplace_keys=tuple(json.loads(environ[MARKETPLACE_KEYS])) if keys else (),
        airflow_users=tuple(users),
        studio_users=tuple(json.loads(environ[STUDIO_USERS])) if studio else (),
    )
