"""The schema's guards: depth, token and alias limits, masked internal errors, Airflow out of
reach, introspection and GraphiQL off by default."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.integration.builder import queries
from tests.integration.builder.api import Builder, running_builder
from tests.integration.builder.specs import pipeline
from workflow_builder_api.core.config import Settings
from workflow_builder_api.core.db import transaction


def test_deep_queries_are_refused(builder: Builder) -> None:
    api = builder.tenant().viewer
    # Workflow.runs and Run.workflow lead back to each other: a query could nest forever.
    depth = builder.runtime.settings.max_query_depth
    loop = "runs { workflow { " * depth + "id" + " } }" * depth
    error = api.error(f"{{ workflows {{ nodes {{ {loop} }} }} }}")
    assert "exceeds maximum operation depth" in error["message"]


def test_too_many_aliases_or_tokens_are_refused(builder: Builder) -> None:
    api = builder.tenant().viewer
    limit = builder.runtime.settings.max_query_aliases
    aliases = " ".join(f"a{i}: serviceInfo {{ version }}" for i in range(limit + 1))
    assert "aliases" in api.error(f"{{ {aliases} }}")["message"]
    # The fragment-spread bypass of the alias limit (fixed in strawberry 0.315.7) stays closed.
    spread = " ".join(f"b{i}: serviceInfo {{ version }}" for i in range(limit))
    error = api.error(f"fragment F on Query {{ {spread} }} {{ x: serviceInfo {{ version }} ...F }}")
    assert "aliases" in error["message"]
    many = "{ " + " ".join("serviceInfo { version }" for _ in range(500)) + " }"
    assert "token" in api.error(many)["message"].lower()


def test_airflow_out_of_reach_is_named_and_its_details_stay_in_the_log(builder: Builder) -> None:
    tenant = builder.tenant()
    offline = {"name": "offline", "spec": pipeline("offline")}  # a blank one does not publish
    workflow = tenant.editor.data(queries.CREATE, input=offline)["createWorkflow"]
    published = tenant.editor.data(queries.PUBLISH, id=workflow["id"], version=1)
    assert published["publishWorkflow"]["published"] is True
    # Airflow is unreachable in this module: neither the caller's mistake nor a bug of ours,
    # and where Airflow lives (its address, the stack) is not the caller's business.
    error = tenant.editor.error(queries.TRIGGER, id=workflow["id"])
    assert error["extensions"]["code"] == "AIRFLOW_UNAVAILABLE"
    assert "cannot be reached" in error["message"] and "127.0.0.1" not in error["message"]
    assert tenant.viewer.data("{ runs { id } }")["runs"] == []


def test_internal_errors_are_masked(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'broken.db'}", dags_folder=str(tmp_path)
    )
    with running_builder(settings) as broken:
        viewer = broken.tenant().viewer
        with transaction(broken.runtime.sessions) as session:
            session.execute(text("DROP TABLE runs"))  # the store breaks under the service
        error = viewer.error("{ runs { id } }")
    # Our failure, not the user's: its details (SQL, tables) stay in the service's log.
    assert error["message"] == "Unexpected error."
    assert "extensions" not in error or "code" not in error["extensions"]


def test_introspection_and_graphiql_are_off_unless_turned_on(tmp_path: Path) -> None:
    introspect = "{ __schema { queryType { name } } }"
    default = Settings(database_url=f"sqlite:///{tmp_path / 'off.db'}", dags_folder=str(tmp_path))
    on = default.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path / 'on.db'}",
            "introspection": True,
            "graphiql": True,
        }
    )
    with running_builder(default) as builder:
        api = builder.tenant().viewer
        assert "introspection" in api.error(introspect)["message"].lower()
        page = builder.client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 404
    with running_builder(on) as builder:
        api = builder.tenant().viewer
        assert api.data(introspect) == {"__schema": {"queryType": {"name": "Query"}}}
        page = builder.client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
