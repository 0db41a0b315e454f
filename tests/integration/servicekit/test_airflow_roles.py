"""A tenant's Airflow roles, created through the FAB auth manager's API of the stack's Airflow."""

from __future__ import annotations

import uuid

import httpx
import pytest

from airloom.workflow.access import tenant_access_control, tenant_role
from servicekit.airflow_client import RestAirflowClient
from servicekit.airflow_roles import EDITOR_PERMISSIONS, VIEWER_PERMISSIONS, ensure_tenant_roles
from tests.harness.servers import free_port
from tests.harness.stack import LocalStack

pytestmark = pytest.mark.e2e


def role_permissions(stack: LocalStack, name: str) -> set[tuple[str, str]]:
    admin = httpx.Client(base_url=stack.airflow_url, timeout=60)
    login = {"username": "admin", "password": stack.admin_password}
    token = admin.post("/auth/token", json=login).json()["access_token"]
    response = admin.get(f"/auth/fab/v1/roles/{name}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return {(p["action"]["name"], p["resource"]["name"]) for p in response.json()["actions"]}


def test_a_tenants_roles_are_created_once_with_their_permissions(stack: LocalStack) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    client = stack.airflow()
    assert ensure_tenant_roles(client, tenant)
    assert ensure_tenant_roles(client, tenant)  # the second time they exist: nothing changes

    viewer = role_permissions(stack, tenant_role(tenant, "viewer"))
    editor = role_permissions(stack, tenant_role(tenant, "editor"))
    assert viewer == set(VIEWER_PERMISSIONS)
    assert editor == set(EDITOR_PERMISSIONS)
    # Neither may read or edit every DAG: only those whose access_control names the role.
    assert [action for action, resource in viewer | editor if resource == "DAGs"] == ["menu_access"]
    assert set(tenant_access_control(tenant)) == {
        tenant_role(tenant, "viewer"),
        tenant_role(tenant, "editor"),
    }


def test_an_unreachable_airflow_makes_no_role_and_says_so() -> None:
    nowhere = RestAirflowClient(f"http://127.0.0.1:{free_port()}", "admin", "unused")
    assert ensure_tenant_roles(nowhere, "acme") is False
