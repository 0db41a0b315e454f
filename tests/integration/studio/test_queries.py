"""Studio's own GraphQL documents (read from studio/src/api/) against the real builder schema,
signed in through /auth/login as the app does: the field names it asks for are real ones."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.integration.builder.api import Builder
from tests.integration.studio.conftest import PASSWORDS, PROJECT_ROOT

DOCUMENT = re.compile(r"gql`([^`]*)`")
OPERATION = re.compile(r"(?:query|mutation)\s+(\w+)")


def studio_documents() -> dict[str, str]:
    source = (PROJECT_ROOT / "studio" / "src" / "api" / "workflows.ts").read_text()
    documents = {OPERATION.search(text).group(1): text for text in DOCUMENT.findall(source)}
    assert documents, "no gql`...` document found in studio/src/api/workflows.ts"
    return documents


def sign_in(builder: Builder, username: str) -> str:
    response = builder.client.post(
        "/auth/login", json={"username": username, "password": PASSWORDS[username]}
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def run(builder: Builder, token: str, name: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = builder.client.post(
        "/graphql",
        json={"query": studio_documents()[name], "operationName": name, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"]


def test_studio_creates_lists_and_opens_a_workflow(builder: Builder):
    token = sign_in(builder, "ann")
    name = f"studio_{uuid.uuid4().hex[:8]}"
    created = run(builder, token, "StudioCreateWorkflow", {"name": name, "title": "From Studio"})
    workflow = created["createWorkflow"]
    assert workflow["currentVersion"] == 1 and workflow["publishedVersion"] is None

    page = run(builder, token, "StudioWorkflows", {"first": 50, "after": None, "search": name})
    [listed] = page["workflows"]["nodes"]
    assert listed["id"] == workflow["id"]
    assert listed["title"] == "From Studio"
    assert listed["runs"] == []

    header = run(builder, token, "StudioWorkflow", {"id": workflow["id"]})["workflow"]
    version = run(builder, token, "StudioWorkflowVersion", {"id": workflow["id"], "number": 1})[
        "workflow"
    ]["version"]
    assert header["name"] == name
    assert version["number"] == 1
    assert version["createdBy"] == "ann"
    assert version["spec"]["nodes"] == []


def test_a_viewer_lists_but_cannot_create(builder: Builder):
    token = sign_in(builder, "vic")
    run(builder, token, "StudioWorkflows", {"first": 50, "after": None, "search": None})
    response = builder.client.post(
        "/graphql",
        json={
            "query": studio_documents()["StudioCreateWorkflow"],
            "variables": {"name": "nope", "title": None},
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    [error] = response.json()["errors"]
    assert "editor" in error["message"]
