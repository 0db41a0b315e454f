"""A draft is saved with its problems, and createWorkflow and updateWorkflow say what they are,
in the tenant's scope, as publishing would find them."""

from __future__ import annotations

from tests.integration.builder import queries
from tests.integration.builder.api import Builder
from tests.integration.builder.specs import node, pipeline


def test_a_blank_workflow_is_saved_with_its_one_problem(builder: Builder) -> None:
    tenant = builder.tenant()
    created = tenant.editor.data(queries.CREATE_DRAFT, input={"name": "blank"})["createWorkflow"]
    assert created["currentVersion"] == 1
    (problem,) = created["problems"]
    assert (problem["code"], problem["nodeId"], problem["field"]) == (
        "EMPTY_WORKFLOW",
        None,
        "nodes",
    )


def test_create_saves_a_draft_and_warns_of_each_problem(builder: Builder) -> None:
    tenant = builder.tenant()
    draft = pipeline("orders")
    draft["nodes"][0]["params"]["max_records"] = "100"
    draft["nodes"][1]["params"]["sql"] = "SELECT * FROM raw_orders"
    created = tenant.editor.data(queries.CREATE_DRAFT, input={"name": "orders", "spec": draft})[
        "createWorkflow"
    ]
    found = {(p["code"], p["nodeId"], p["field"]) for p in created["problems"]}
    assert found == {
        ("INVALID_PARAMS", "ingest", "nodes.0.params.max_records"),
        ("UNKNOWN_VIEW", "transform", "nodes.1.params.sql"),
    }
    saved = tenant.viewer.data(queries.WORKFLOW, id=created["id"])["workflow"]
    assert saved["currentVersion"] == 1
    assert saved["versions"][0]["spec"]["nodes"][1]["params"]["sql"] == "SELECT * FROM raw_orders"


def test_update_warns_of_the_draft_s_problems_in_the_tenant_s_scope(builder: Builder) -> None:
    tenant = builder.tenant()
    created = tenant.editor.data(
        queries.CREATE_DRAFT, input={"name": "landing", "spec": pipeline("landing")}
    )["createWorkflow"]
    assert created["problems"] == []
    draft = pipeline("landing")
    # Another bucket is outside the tenant unless granted: only its scope knows that.
    draft["nodes"].append(
        node(
            "files",
            "file_ingest",
            {"source": "s3://elsewhere/x/*.csv", "format": "csv", "dataset": "x"},
        )
    )
    saved = tenant.editor.data(
        queries.UPDATE, id=created["id"], expected=1, spec=draft, message="files too"
    )["updateWorkflow"]
    assert saved["number"] == 2
    (problem,) = saved["problems"]
    assert (problem["code"], problem["nodeId"], problem["field"]) == (
        "NOT_GRANTED",
        "files",
        "nodes.3.params.source",
    )
    assert "s3://elsewhere/" in problem["message"]
