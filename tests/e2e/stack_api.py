"""The stack's public APIs as one tenant (or the platform's admin) calls them, for e2e tests."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.harness.stack import LocalStack

CREATE = "mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id dagId } }"
VALIDATE = "mutation($spec: JSON!) { validateWorkflow(spec: $spec) { code message nodeId field } }"
PUBLISH = """mutation($id: ID!, $version: Int!) {
  publishWorkflow(id: $id, version: $version) {
    published dagId problems { code message nodeId field }
  }
}"""
UNPUBLISH = "mutation($id: ID!) { unpublishWorkflow(id: $id) { id publishedVersion } }"
TRIGGER = "mutation($id: ID!) { triggerRun(id: $id) { id dagId airflowRunId } }"
GRANT = """mutation($input: GrantInput!) {
  grant(input: $input) { id tenant kind name connectionId }
}"""
REVOKE = """mutation($id: ID!) {
  revokeGrant(id: $id) {
    grant { id }
    republished { id }
    withdrawn { workflow { id publishedVersion } problems { code nodeId field } }
  }
}"""

# Runs end at their first try: a refused task must fail now, not after a retry delay.
NO_RETRIES = {"retries": 0, "retryDelaySeconds": 0}


@dataclass
class Builder:
    """The stack's GraphQL builder with one bearer token."""

    stack: LocalStack
    token: str

    def call(self, query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(
            self.stack.url("AIRLOOM_BUILDER_PORT", "/graphql"),
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=300,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        body = self.call(query, **variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def problems(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        return self.data(VALIDATE, spec=document)["validateWorkflow"]

    def create(self, document: dict[str, Any]) -> str:
        name = document["metadata"]["name"]
        return self.data(CREATE, input={"name": name, "spec": document})["createWorkflow"]["id"]

    def publish(self, workflow_id: str) -> dict[str, Any]:
        return self.data(PUBLISH, id=workflow_id, version=1)["publishWorkflow"]

    def create_and_publish(self, document: dict[str, Any]) -> tuple[str, str]:
        """The workflow's id and DAG id, once published."""
        workflow_id = self.create(document)
        result = self.publish(workflow_id)
        assert result["published"], result["problems"]
        return workflow_id, result["dagId"]

    def run(self, workflow_id: str, timeout: float = 600) -> tuple[str, str, dict[str, str]]:
        """Trigger the published version and wait: (DAG id, run id, state per task)."""
        run = self.data(TRIGGER, id=workflow_id)["triggerRun"]
        airflow = self.stack.airflow()
        airflow.wait_for_run(run["dagId"], run["airflowRunId"], timeout=timeout)
        states = {
            ti.task_id: ti.state for ti in airflow.task_instances(run["dagId"], run["airflowRunId"])
        }
        return run["dagId"], run["airflowRunId"], states


def codes(problems: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Validation problems as {(node id, field): code}."""
    return {(p["nodeId"] or "", p["field"] or ""): p["code"] for p in problems}


def fresh_tenant(stack: LocalStack, role: str = "editor") -> tuple[str, str]:
    """A tenant `up` never heard of, with a builder token (made with the builder's CLI): its
    workflows are the only ones it sees, whatever other modules published on the stack."""
    tenant = f"t{uuid.uuid4().hex[:10]}"
    store = f"sqlite:///{stack.home / 'builder' / 'builder.db'}"
    command = ["create-token", "--tenant", tenant, "--role", role, "--name", tenant]
    created = subprocess.run(
        [sys.executable, "-m", "workflow_builder_api", *command],
        env={**stack.env, "AIRLOOM_BUILDER_DATABASE_URL": store},
        capture_output=True,
        text=True,
        check=True,
    )
    return tenant, created.stdout.strip().splitlines()[-1]


def task_log(stack: LocalStack, dag_id: str, run_id: str, task_id: str) -> str:
    """A task's first try's log, read as the Airflow admin."""
    airflow = stack.airflow()
    body = airflow.request(
        "GET",
        f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/1",
        params={"full_content": "true"},
    )
    content = body.get("content") if isinstance(body, dict) else body
    return str(content)


def wait_until(check: Any, timeout: float = 120, interval: float = 2) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, f"not true within {timeout} s"
        time.sleep(interval)
    return result
