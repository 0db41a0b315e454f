"""The Airflow roles of a tenant: what its viewers and editors may do beside its own DAGs.

A tenant's two roles (names from :mod:`airloom.workflow.access`) hold what Airflow's FAB auth
manager checks *besides* a DAG: reading runs, task instances and logs, and for editors
triggering, cancelling and clearing. None holds a permission on all DAGs, so each of those
applies only to the DAGs whose ``access_control`` names the role: the tenant's workflows.
Nothing here reaches connections, variables, pools, assets, import errors or audit logs,
whose FAB permissions are not per DAG.

A DAG naming a role that does not exist fails to parse, so a tenant's roles must exist before
its first workflow is published: the local stack creates them at ``airloom up`` for the
tenants it bootstraps, and :func:`ensure_tenant_roles` when the builder publishes.
"""

from __future__ import annotations

import httpx
import structlog

from airloom.workflow.access import EDITOR, VIEWER, tenant_role
from servicekit.airflow_client import AirflowApiError, AirflowClient

log = structlog.get_logger()

Permission = tuple[str, str]  # (FAB action, FAB resource)

VIEWER_PERMISSIONS: tuple[Permission, ...] = (
    ("can_read", "Website"),
    ("menu_access", "Browse"),
    ("menu_access", "DAGs"),
    ("can_read", "DAG Runs"),
    ("menu_access", "DAG Runs"),
    ("can_read", "Task Instances"),
    ("menu_access", "Task Instances"),
    ("can_read", "Task Logs"),
    ("can_read", "DAG Code"),
    ("can_read", "DAG Versions"),
    ("can_read", "DAG Warnings"),
    ("can_read", "DAG Dependencies"),
    ("can_read", "XComs"),
    ("menu_access", "XComs"),
    ("can_read", "My Profile"),
    ("can_edit", "My Profile"),
    ("can_read", "My Password"),
    ("can_edit", "My Password"),
)

EDITOR_PERMISSIONS: tuple[Permission, ...] = (
    *VIEWER_PERMISSIONS,
    ("can_create", "DAG Runs"),  # trigger
    ("can_edit", "DAG Runs"),  # mark a run failed (cancel)
    ("can_edit", "Task Instances"),  # clear or mark a task
)

_PERMISSIONS = {VIEWER: VIEWER_PERMISSIONS, EDITOR: EDITOR_PERMISSIONS}


def tenant_roles(tenant: str) -> dict[str, tuple[Permission, ...]]:
    """Each of the tenant's role names with the permissions it holds."""
    return {tenant_role(tenant, level): perms for level, perms in _PERMISSIONS.items()}


def ensure_tenant_roles(client: AirflowClient, tenant: str) -> bool:
    """Create the tenant's roles in Airflow if they are missing; an existing role is kept.

    Best effort, so publishing a file never waits for Airflow: when Airflow cannot be reached
    or refuses, this logs why and returns False, and a DAG of the tenant then fails to parse,
    naming the missing role, until a later call creates it. Also False where the client cannot
    manage roles (MWAA's ``InvokeRestApi`` reaches only the REST API v2): there an admin
    creates a tenant's roles when the tenant is onboarded (docs/aws.md).
    """
    try:
        return all(client.ensure_role(name, perms) for name, perms in tenant_roles(tenant).items())
    except (AirflowApiError, httpx.HTTPError) as exc:
        log.warning("could not create the tenant's Airflow roles", tenant=tenant, error=str(exc))
        return False
