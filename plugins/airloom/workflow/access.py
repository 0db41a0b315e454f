"""Who may see a tenant's workflow DAGs in Airflow: the DAG-level half of tenant isolation.

Airflow's FAB auth manager grants a role a DAG either through a permission on all DAGs or
through the DAG's own ``access_control``. Each tenant has two roles, a viewer and an editor,
that hold no permission on all DAGs (see :mod:`servicekit.airflow_roles`), so they see
exactly the DAGs whose ``access_control`` names them: their tenant's workflows, never another
tenant's and never the platform's built-in DAGs. Airflow's DAG processor writes these grants
each time it parses the file; a role that does not exist yet fails that file's parse alone.
"""

from __future__ import annotations

VIEWER = "viewer"
EDITOR = "editor"
ACCESS_LEVELS = (VIEWER, EDITOR)

# DAG-level actions per level: an editor may also edit the DAG, which Airflow requires to
# trigger, pause or clear it (what it may do to runs comes from the role itself).
_DAG_ACTIONS = {VIEWER: {"can_read"}, EDITOR: {"can_read", "can_edit"}}


def tenant_role(tenant: str, level: str) -> str:
    """The Airflow role of a tenant's viewers or editors, e.g. ``airloom_acme_viewer``."""
    if level not in _DAG_ACTIONS:
        raise ValueError(f"unknown access level {level!r}; use one of {ACCESS_LEVELS}")
    return f"airloom_{tenant}_{level}"


def tenant_access_control(tenant: str) -> dict[str, dict[str, set[str]]]:
    """A workflow DAG's ``access_control``: its tenant's roles, and no one else's."""
    return {tenant_role(tenant, level): {"DAGs": set(dag)} for level, dag in _DAG_ACTIONS.items()}
