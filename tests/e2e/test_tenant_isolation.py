"""The Airflow UI and REST API show a tenant's people only their tenant's DAGs.

Two tenants are bootstrapped by `airloom up` (tests/harness/stack.py): each has a builder
token and an Airflow viewer and editor login. Each publishes one workflow through the stack's
own builder; then, logged in to Airflow's REST API v2 as each tenant's users, a tenant sees
its DAG, its runs and its task logs, and is refused the other tenant's and the platform's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.stack_api import fresh_tenant
from tests.harness.stack import LocalStack, Login, StackTenant
from tests.integration.builder import queries
from tests.integration.builder.specs import ingest, spec

pytestmark = pytest.mark.e2e

PLATFORM_DAGS = {"customer_churn", "model_validation", "airloom_stack_check"}


def graphql(stack: LocalStack, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        stack.url("AIRLOOM_BUILDER_PORT", "/graphql"),
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"]


def publish(stack: LocalStack, token: str, name: str) -> str:
    """Create and publish a one-node workflow through the stack's builder; its DAG id."""
    # No retries: a run ends at its first try, whatever the empty topic gives it.
    document = spec(
        name,
        nodes=[ingest(topic=f"{name}_orders", max_seconds=2)],
        defaults={"retries": 0, "retryDelaySeconds": 0},
    )
    created = graphql(stack, token, queries.CREATE, input={"name": name, "spec": document})
    workflow_id = created["createWorkflow"]["id"]
    result = graphql(stack, token, queries.PUBLISH, id=workflow_id, version=1)["publishWorkflow"]
    assert result["published"] is True, result["problems"]
    return result["dagId"]


class AirflowUser:
    """Airflow's REST API v2 as one login sees it (a JWT from /auth/token)."""

    def __init__(self, stack: LocalStack, login: Login) -> None:
        self.http = httpx.Client(base_url=stack.airflow_url, timeout=60)
        token = self.http.post(
            "/auth/token", json={"username": login.username, "password": login.password}
        )
        assert token.status_code in (200, 201), token.text
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def get(self, path: str) -> httpx.Response:
        return self.http.get(f"/api/v2{path}", headers={"Accept": "application/json"})

    def dag_ids(self) -> set[str]:
        response = self.get("/dags?limit=100")
        return {dag["dag_id"] for dag in response.json()["dags"]} if response.is_success else set()

    def trigger(self, dag_id: str) -> httpx.Response:
        return self.http.post(f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None})

    def unpause(self, dag_id: str) -> httpx.Response:
        return self.http.patch(f"/api/v2/dags/{dag_id}", json={"is_paused": False})

    def wait_to_see(self, dag_id: str, timeout: float = 120) -> None:
        """FAB caches a user's permissions for up to 30 s: wait until a new grant shows."""
        deadline = time.monotonic() + timeout
        while dag_id not in self.dag_ids():
            assert time.monotonic() < deadline, f"{dag_id} not listed within {timeout} s"
            time.sleep(2)


@dataclass
class Published:
    tenant: StackTenant
    dag_id: str
    run_id: str
    viewer: AirflowUser
    editor: AirflowUser

    def run_path(self) -> str:
        return f"/dags/{self.dag_id}/dagRuns/{self.run_id}"

    def log_path(self) -> str:
        return f"{self.run_path()}/taskInstances/ingest/logs/1"


@pytest.fixture(scope="module")
def published(stack: LocalStack) -> dict[str, Published]:
    """Each bootstrapped tenant's workflow, published, parsed and run once by its editor."""
    admin = stack.airflow()
    # Published into the stack's own repository, which goes with its state folder.
    dag_ids = {t.name: publish(stack, t.builder_token, f"orders_{t.name}") for t in stack.tenants}
    found = {}
    for tenant in stack.tenants:
        dag_id = dag_ids[tenant.name]
        admin.wait_for_dag(dag_id, timeout=240)
        viewer = AirflowUser(stack, tenant.airflow_viewer)
        editor = AirflowUser(stack, tenant.airflow_editor)
        editor.wait_to_see(dag_id)
        assert editor.unpause(dag_id).status_code == 200
        triggered = editor.trigger(dag_id)
        assert triggered.status_code == 200, triggered.text
        run_id = triggered.json()["dag_run_id"]
        admin.wait_for_run(dag_id, run_id, timeout=300)
        found[tenant.name] = Published(tenant, dag_id, run_id, viewer, editor)
    return found


def pairs(published: dict[str, Published]) -> list[tuple[Published, Published]]:
    first, second = published.values()
    return [(first, second), (second, first)]


def test_each_tenant_lists_only_its_own_dag(published: dict[str, Published]) -> None:
    for own, other in pairs(published):
        own.viewer.wait_to_see(own.dag_id)
        for user in (own.viewer, own.editor):
            listed = user.dag_ids()
            # Other modules on the shared stack publish for these tenants too.
            assert own.dag_id in listed, listed
            assert all(dag_id.startswith(f"wf-{own.tenant.name}-") for dag_id in listed), listed
            assert other.dag_id not in listed and not listed & PLATFORM_DAGS


def test_a_tenant_reads_its_own_dag_runs_and_logs(published: dict[str, Published]) -> None:
    for own, _ in pairs(published):
        assert own.viewer.get(f"/dags/{own.dag_id}").status_code == 200
        runs = own.viewer.get(f"/dags/{own.dag_id}/dagRuns")
        assert [run["dag_run_id"] for run in runs.json()["dag_runs"]] == [own.run_id]
        log = own.viewer.get(own.log_path())
        assert log.status_code == 200, log.text
        assert log.json()["content"]


def test_the_other_tenants_dag_runs_and_logs_are_refused(
    published: dict[str, Published],
) -> None:
    for own, other in pairs(published):
        for user in (own.viewer, own.editor):
            for path in (
                f"/dags/{other.dag_id}",
                f"/dags/{other.dag_id}/details",
                f"/dags/{other.dag_id}/dagRuns",
                other.run_path(),
                f"{other.run_path()}/taskInstances",
                other.log_path(),
            ):
                assert user.get(path).status_code in (403, 404), path
            # Other e2e modules share the stack and its tenants: any of the tenant's DAGs may
            # have runs, never another tenant's or the platform's.
            run_dags = {run["dag_id"] for run in user.get("/dags/~/dagRuns").json()["dag_runs"]}
            assert own.dag_id in run_dags
            assert all(dag_id.startswith(f"wf-{own.tenant.name}-") for dag_id in run_dags), run_dags
            assert user.trigger(other.dag_id).status_code in (403, 404)
            assert user.unpause(other.dag_id).status_code in (403, 404)


def test_platform_dags_are_not_a_tenants(published: dict[str, Published]) -> None:
    for own, _ in pairs(published):
        for dag_id in PLATFORM_DAGS:
            assert own.viewer.get(f"/dags/{dag_id}").status_code in (403, 404), dag_id
            assert own.editor.trigger(dag_id).status_code in (403, 404), dag_id


def test_a_viewer_may_not_trigger_or_pause_but_an_editor_may(
    published: dict[str, Published],
) -> None:
    for own, _ in pairs(published):
        assert own.viewer.trigger(own.dag_id).status_code == 403
        assert own.viewer.unpause(own.dag_id).status_code == 403
        assert own.editor.unpause(own.dag_id).status_code == 200


def test_the_admin_still_sees_everything(
    stack: LocalStack, published: dict[str, Published]
) -> None:
    admin = AirflowUser(stack, Login("admin", stack.admin_password))
    listed = admin.dag_ids()
    assert {p.dag_id for p in published.values()} | PLATFORM_DAGS <= listed
    for item in published.values():
        assert admin.get(item.log_path()).status_code == 200


def test_a_new_tenants_first_publish_creates_its_roles_and_parses(
    stack: LocalStack, published: dict[str, Published]
) -> None:
    """A tenant `up` never heard of (its token made with the builder's CLI afterwards)."""
    tenant, token = fresh_tenant(stack)
    dag_id = publish(stack, token, f"late_{tenant}")
    airflow = stack.airflow()
    assert airflow.wait_for_dag(dag_id, timeout=240)["is_stale"] is False
    assert not [e for e in airflow.import_errors() if dag_id in e.get("filename", "")]
    for item in published.values():
        assert dag_id not in item.viewer.dag_ids()
        assert item.viewer.get(f"/dags/{dag_id}").status_code in (403, 404)
