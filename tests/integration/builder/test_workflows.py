"""Designing workflows: create, save immutable versions, conflicts, restore, diff, list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.builder import queries
from tests.integration.builder.api import Builder
from tests.integration.builder.specs import node, spec
from workflow_builder_api.core.db import transaction
from workflow_builder_api.models import Run


def create(api, name: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    return api.data(queries.CREATE, input={"name": name, **fields})["createWorkflow"]


def test_a_blank_workflow_starts_at_version_one(builder: Builder) -> None:
    tenant = builder.tenant()
    workflow = create(tenant.editor, "churn", title="Customer churn")
    assert workflow["currentVersion"] == 1
    assert workflow["publishedVersion"] is None
    assert workflow["dagId"] == f"wf-{tenant.name}-churn"
    found = tenant.viewer.data(queries.WORKFLOW, id=workflow["id"])["workflow"]
    (version,) = found["versions"]
    assert version["spec"]["metadata"] == {
        "name": "churn",
        "title": "Customer churn",
        "description": "",
        "tags": [],
    }
    assert version["createdBy"] == f"{tenant.name}-editor"


def test_the_owner_is_who_created_it_whoever_saved_since(builder: Builder) -> None:
    tenant = builder.tenant()
    workflow = create(tenant.editor, "owned")
    tenant.admin.data(queries.UPDATE, id=workflow["id"], expected=1, spec=spec("owned"))
    owner = "query($id: ID!) { workflow(id: $id) { owner versions { createdBy } } }"
    found = tenant.viewer.data(owner, id=workflow["id"])["workflow"]
    assert found["owner"] == f"{tenant.name}-editor"
    assert [v["createdBy"] for v in found["versions"]] == [f"{tenant.name}-admin", found["owner"]]


def test_updates_make_new_versions_and_keep_the_old_ones(builder: Builder) -> None:
    tenant = builder.tenant()
    workflow = create(tenant.editor, "demand")
    draft = spec("demand", nodes=[node("load", "no_such_type")])
    saved = tenant.editor.data(
        queries.UPDATE, id=workflow["id"], expected=1, spec=draft, message="add a node"
    )["updateWorkflow"]
    assert saved["number"] == 2
    assert saved["message"] == "add a node"
    # A draft with problems is saved (work in progress) and says what is wrong with it.
    assert [(p["code"], p["nodeId"]) for p in saved["problems"]] == [("UNKNOWN_NODE_TYPE", "load")]
    versions = tenant.viewer.data(queries.WORKFLOW, id=workflow["id"])["workflow"]["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["spec"]["nodes"] == []
    first = tenant.viewer.data(queries.VERSION, id=workflow["id"], number=1)["workflow"]
    assert first["version"]["spec"]["nodes"] == []


def test_a_stale_expected_version_is_a_conflict_naming_the_current_one(builder: Builder) -> None:
    tenant = builder.tenant()
    workflow = create(tenant.editor, "fraud")
    tenant.editor.data(queries.UPDATE, id=workflow["id"], expected=1, spec=spec("fraud"))
    error = tenant.editor.error(
        queries.UPDATE, id=workflow["id"], expected=1, spec=spec("fraud", schedule="@daily")
    )
    assert error["extensions"] == {"code": "CONFLICT", "currentVersion": 2}
    assert "version 2" in error["message"]
    current = tenant.viewer.data(queries.WORKFLOW, id=workflow["id"])["workflow"]
    assert current["currentVersion"] == 2
    assert [v["number"] for v in current["versions"]] == [2, 1]


def test_the_name_cannot_change_and_must_be_safe(builder: Builder) -> None:
    tenant = builder.tenant()
    workflow = create(tenant.editor, "support")
    error = tenant.editor.error(queries.UPDATE, id=workflow["id"], expected=1, spec=spec("renamed"))
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "cannot change" in error["message"]
    error = tenant.editor.error(queries.CREATE, input={"name": "Drop Table; --"})
    assert error["extensions"]["code"] == "INVALID_INPUT"
    error = tenant.editor.error(queries.CREATE, input={"name": "support"})
    assert error["extensions"]["code"] == "CONFLICT"


def test_restore_saves_an_earlier_design_as_the_newest_version(builder: Builder) -> None:
    tenant = builder.tenant()
    workflow = create(tenant.editor, "docs", spec=spec("docs", schedule="@hourly"))
    tenant.editor.data(queries.UPDATE, id=workflow["id"], expected=1, spec=spec("docs"))
    restored = tenant.editor.data(queries.RESTORE, id=workflow["id"], version=1)["restoreVersion"]
    assert restored["number"] == 3
    assert restored["spec"]["schedule"] == "@hourly"
    assert restored["message"] == "restored version 1"
    versions = tenant.viewer.data(queries.WORKFLOW, id=workflow["id"])["workflow"]["versions"]
    assert [(v["number"], v["spec"]["schedule"]) for v in versions] == [
        (3, "@hourly"),
        (2, None),
        (1, "@hourly"),
    ]


def test_diff_lists_nodes_edges_params_and_settings(builder: Builder) -> None:
    tenant = builder.tenant()
    before = spec(
        "etl",
        nodes=[
            node("a", "kafka_ingest", {"topic": "orders", "limit": 10}),
            node("b", "spark_transform", {"sql": "SELECT 1"}),
            node("gone", "quality_gate"),
        ],
        edges=[{"source": "a.stream", "target": "b.tables"}],
    )
    after = spec(
        "etl",
        schedule="@daily",
        nodes=[
            node("a", "kafka_ingest", {"topic": "payments", "group": "g1"}),
            node("b", "spark_transform", {"sql": "SELECT 1"}, x=40),
            node("c", "train"),
        ],
        edges=[{"source": "b.table", "target": "c.table"}],
    )
    workflow = create(tenant.editor, "etl", spec=before)
    tenant.editor.data(queries.UPDATE, id=workflow["id"], expected=1, spec=after)
    diff = tenant.viewer.data(queries.DIFF, id=workflow["id"], **{"from": 1, "to": 2})
    diff = diff["workflow"]["diff"]
    assert diff["nodesAdded"] == ["c"]
    assert diff["nodesRemoved"] == ["gone"]
    assert diff["nodesChanged"] == [
        {"nodeId": "a", "fields": ["params"]},
        {"nodeId": "b", "fields": ["ui"]},
    ]
    assert diff["edgesAdded"] == [{"source": "b.table", "target": "c.table"}]
    assert diff["edgesRemoved"] == [{"source": "a.stream", "target": "b.tables"}]
    assert diff["paramsChanged"] == [
        {
            "nodeId": "a",
            "path": "topic",
            "change": "changed",
            "before": "orders",
            "after": "payments",
        },
        {"nodeId": "a", "path": "limit", "change": "removed", "before": 10, "after": None},
        {"nodeId": "a", "path": "group", "change": "added", "before": None, "after": "g1"},
    ]
    assert diff["settingsChanged"] == [
        {"path": "schedule", "change": "changed", "before": None, "after": "@daily"}
    ]
    error = tenant.viewer.error(queries.DIFF, id=workflow["id"], **{"from": 1, "to": 9})
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_workflows_are_listed_a_page_at_a_time_and_filtered(builder: Builder) -> None:
    tenant = builder.tenant()
    names = [f"flow_{index}" for index in range(5)]
    ids = {name: create(tenant.editor, name, title=f"Flow {name}")["id"] for name in names}
    seen, after = [], None
    while True:
        page = tenant.viewer.data(queries.WORKFLOWS, first=2, after=after)["workflows"]
        seen += [item["name"] for item in page["nodes"]]
        assert all(item["versions"] == [{"number": 1}] for item in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(names))  # newest first, each exactly once
    found = tenant.viewer.data(queries.WORKFLOWS, filter={"search": "FLOW_3"})["workflows"]
    assert (
        tenant.viewer.data(queries.WORKFLOWS, filter={"search": "flow%3"})["workflows"]["nodes"]
        == []
    )
    assert [item["id"] for item in found["nodes"]] == [ids["flow_3"]]
    unpublished = tenant.viewer.data(queries.WORKFLOWS, filter={"published": False})
    assert len(unpublished["workflows"]["nodes"]) == 5
    assert (
        tenant.viewer.data(queries.WORKFLOWS, filter={"published": True})["workflows"]["nodes"]
        == []
    )
    error = tenant.viewer.error(queries.WORKFLOWS, after="not-a-cursor")
    assert error["extensions"]["code"] == "INVALID_INPUT"


def test_deleting_hides_the_workflow_and_frees_its_name(builder: Builder) -> None:
    tenant = builder.tenant()
    workflow = create(tenant.editor, "old")
    error = tenant.editor.error(queries.DELETE, id=workflow["id"])
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert tenant.admin.data(queries.DELETE, id=workflow["id"]) == {"deleteWorkflow": True}
    error = tenant.viewer.error(queries.WORKFLOW, id=workflow["id"])
    assert error["extensions"]["code"] == "NOT_FOUND"
    again = create(tenant.editor, "old")
    assert again["id"] != workflow["id"]
    assert again["currentVersion"] == 1


def test_each_workflow_lists_its_newest_runs(builder: Builder) -> None:
    tenant = builder.tenant()
    busy = create(tenant.editor, "busy")
    quiet = create(tenant.editor, "quiet")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # Runs as the store records them when triggerRun succeeds (triggering needs Airflow: see
    # test_stack_end_to_end.py); 25 for one workflow, one for the other.
    with transaction(builder.runtime.sessions) as session:
        for index, workflow in [(i, busy) for i in range(25)] + [(0, quiet)]:
            session.add(
                Run(
                    workflow_id=workflow["id"],
                    tenant=tenant.name,
                    version=1,
                    dag_id=workflow["dagId"],
                    airflow_run_id=f"manual__{index}",
                    state="success",
                    triggered_by="scheduler",
                    created_at=start + timedelta(minutes=index),
                )
            )
    listing = tenant.viewer.data(
        "{ workflows { nodes { name runs { airflowRunId recordedState workflow { name } } } } }"
    )
    runs = {item["name"]: item["runs"] for item in listing["workflows"]["nodes"]}
    assert [run["airflowRunId"] for run in runs["busy"]] == [
        f"manual__{index}" for index in range(24, 4, -1)
    ]
    assert runs["quiet"] == [
        {"airflowRunId": "manual__0", "recordedState": "success", "workflow": {"name": "quiet"}}
    ]
