"""Airflow's logins and tenant roles on the local stack, kept by the FAB auth manager.

`airloom up` writes a plan (the tenants' roles with their permissions, the admin and each
bootstrapped tenant user) and applies it in Airflow's environment before Airflow's components
start (:mod:`airloom_cli.stack.airflow_init`): the roles then exist before the DAG processor
parses a tenant's DAG, which names them in its ``access_control``. It uses FAB's own security
manager, as FAB's `airflow users`/`roles` commands do, in one process instead of one per user
and role.

Every step converges, so each `up` repeats it: a missing role or user is created, a role's
permissions and a user's role and password are set to the plan's. DAG-level permissions
(``DAG:<id>``) are left to the DAG processor, and users not in the plan are left alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# What the DAG processor grants from access_control; a role's own permissions are the rest.
DAG_LEVEL_PREFIXES = ("DAG:", "DAG Run:")


def write_plan(path: Path, roles: dict[str, Any], users: list[dict[str, str]]) -> Path:
    """Write the plan where only this user can read it (it holds passwords until applied)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps({"roles": roles, "users": users}, indent=2))
    return path


def _sync_role(sm: Any, name: str, permissions: list[list[str]]) -> None:
    role = sm.find_role(name) or sm.add_role(name)
    wanted = {(action, resource) for action, resource in permissions}
    held = {
        (perm.action.name, perm.resource.name): perm
        for perm in role.permissions
        if not perm.resource.name.startswith(DAG_LEVEL_PREFIXES)
    }
    for action, resource in sorted(wanted - held.keys()):
        sm.add_permission_to_role(role, sm.create_permission(action, resource))
    for key in sorted(held.keys() - wanted):
        sm.remove_permission_from_role(role, held[key])


def _sync_user(sm: Any, entry: dict[str, str]) -> None:
    from werkzeug.security import check_password_hash

    role = sm.find_role(entry["role"])
    if role is None:
        raise SystemExit(f"role {entry['role']!r} of user {entry['username']!r} does not exist")
    user = sm.find_user(username=entry["username"])
    if user is None:
        created = sm.add_user(
            entry["username"],
            entry["username"],
            entry["role"],
            f"{entry['username']}@airloom.local",
            [role],
            entry["password"],
        )
        if not created:
            raise SystemExit(f"could not create Airflow user {entry['username']!r}")
        return
    if list(user.roles) != [role] or not user.active:
        user.roles = [role]
        user.active = True
        sm.update_user(user)
    if not check_password_hash(user.password, entry["password"]):
        sm.reset_password(user.id, entry["password"])


def apply_plan(plan: dict[str, Any]) -> None:
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    # Building the app also creates FAB's built-in roles (Admin, Viewer, …) on a fresh database.
    with get_application_builder() as appbuilder:
        for name, permissions in plan["roles"].items():
            _sync_role(appbuilder.sm, name, permissions)
        for entry in plan["users"]:
            _sync_user(appbuilder.sm, entry)


def apply_plan_file(plan_path: str) -> None:
    """Apply a plan :func:`write_plan` wrote, then delete it."""
    plan_file = Path(plan_path)
    plan = json.loads(plan_file.read_text())
    apply_plan(plan)
    plan_file.unlink()  # tenant users' passwords now live only as hashes in Airflow
    print(f"Airflow access: {len(plan['roles'])} tenant role(s), {len(plan['users'])} user(s)")
