"""Tokens, roles and tenants: nobody reads or changes another tenant's workflows or runs."""

from __future__ import annotations

from sqlalchemy import select, text

from tests.integration.builder import queries
from tests.integration.builder.api import Api, Builder, subscribe
from tests.integration.builder.specs import spec
from workflow_builder_api.core.db import transaction
from workflow_builder_api.models import ApiToken, Run


def create(api: Api, name: str) -> dict:
    return api.data(queries.CREATE, input={"name": name})["createWorkflow"]


def test_every_operation_needs_a_valid_token(builder: Builder) -> None:
    error = builder.anonymous().error("{ nodeTypes { type } }")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = Api(builder.client, "not-a-token").error("{ workflows { nodes { id } } }")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


def test_tokens_are_stored_only_as_digests(builder: Builder) -> None:
    tenant = builder.tenant()
    with transaction(builder.runtime.sessions) as session:
        stored = session.scalars(select(ApiToken).where(ApiToken.tenant == tenant.name)).all()
        dump = " ".join(
            str(value) for row in session.execute(text("SELECT * FROM api_tokens")) for value in row
        )
    assert len(stored) == 3
    assert tenant.editor.token not in dump
    assert all(len(row.token_hash) == 64 for row in stored)


def test_roles_limit_what_a_token_may_do(builder: Builder) -> None:
    tenant = builder.tenant()
    error = tenant.viewer.error(queries.CREATE, input={"name": "nope"})
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "editor" in error["message"]
    workflow = create(tenant.editor, "shared")
    for operation, variables in [
        (queries.UPDATE, {"id": workflow["id"], "expected": 1, "spec": spec("shared")}),
        (queries.VALIDATE, {"spec": spec("shared")}),
        (queries.PUBLISH, {"id": workflow["id"], "version": 1}),
        (queries.TRIGGER, {"id": workflow["id"]}),
        (queries.RESTORE, {"id": workflow["id"], "version": 1}),
    ]:
        assert tenant.viewer.error(operation, **variables)["extensions"]["code"] == "FORBIDDEN"
    assert tenant.viewer.data(queries.WORKFLOW, id=workflow["id"])["workflow"]["name"] == "shared"


def test_admins_manage_their_tenants_tokens(builder: Builder) -> None:
    tenant = builder.tenant()
    create_token = (
        "mutation($name: String!, $role: String!) { createApiToken(name: $name, role: $role) }"
    )
    revoke = "mutation($name: String!) { revokeApiToken(name: $name) }"
    error = tenant.editor.error(create_token, name="ci", role="editor")
    assert error["extensions"]["code"] == "FORBIDDEN"
    token = tenant.admin.data(create_token, name="ci", role="editor")["createApiToken"]
    ci = Api(builder.client, token)
    assert create(ci, "from_ci")["name"] == "from_ci"
    assert tenant.admin.data(revoke, name="ci") == {"revokeApiToken": 1}
    assert ci.error("{ workflows { nodes { id } } }")["extensions"]["code"] == "UNAUTHENTICATED"


def test_another_tenants_workflows_are_invisible_and_untouchable(builder: Builder) -> None:
    owner, other = builder.tenant(), builder.tenant()
    workflow = create(owner.editor, "secret")
    workflow_id = workflow["id"]
    attempts = [
        (other.viewer, queries.WORKFLOW, {"id": workflow_id}),
        (other.viewer, queries.DIFF, {"id": workflow_id, "from": 1, "to": 1}),
        (other.editor, queries.UPDATE, {"id": workflow_id, "expected": 1, "spec": spec("secret")}),
        (other.editor, queries.RESTORE, {"id": workflow_id, "version": 1}),
        (other.editor, queries.PUBLISH, {"id": workflow_id, "version": 1}),
        (other.editor, queries.UNPUBLISH, {"id": workflow_id}),
        (other.editor, queries.TRIGGER, {"id": workflow_id}),
        (other.admin, queries.DELETE, {"id": workflow_id}),
    ]
    for api, operation, variables in attempts:
        error = api.error(operation, **variables)
        assert error["extensions"]["code"] == "NOT_FOUND", (operation, error)
        assert "secret" not in error["message"]
    assert other.viewer.data(queries.WORKFLOWS)["workflows"]["nodes"] == []
    # The same name is free in the other tenant: names are per tenant.
    assert create(other.editor, "secret")["id"] != workflow_id
    current = owner.viewer.data(queries.WORKFLOW, id=workflow_id)["workflow"]
    assert current["currentVersion"] == 1
    assert current["publishedVersion"] is None


def test_another_tenants_runs_are_invisible(builder: Builder) -> None:
    owner, other = builder.tenant(), builder.tenant()
    workflow = create(owner.editor, "watched")
    # A run the owner triggered earlier, as the store records it.
    with transaction(builder.runtime.sessions) as session:
        run = Run(
            workflow_id=workflow["id"],
            tenant=owner.name,
            version=1,
            dag_id=workflow["dagId"],
            airflow_run_id="manual__2026-01-01",
            state="running",
            triggered_by="owner",
        )
        session.add(run)
    runs = "{ runs { id } }"
    assert owner.viewer.data(runs)["runs"] == [{"id": run.id}]
    assert other.viewer.data(runs)["runs"] == []
    assert other.viewer.error(queries.RUN, id=run.id)["extensions"]["code"] == "NOT_FOUND"
    assert other.editor.error(queries.CANCEL, id=run.id)["extensions"]["code"] == "NOT_FOUND"
    retry = 'mutation($id: ID!) { retryRun(id: $id, fromNode: "ingest") { id } }'
    assert other.editor.error(retry, id=run.id)["extensions"]["code"] == "NOT_FOUND"
    assert owner.viewer.error(retry, id=run.id)["extensions"]["code"] == "FORBIDDEN"
    (answer,) = subscribe(
        builder.client, other.viewer.token, queries.RUN_UPDATES, {"runId": run.id}
    )
    assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert answer.get("data") is None
