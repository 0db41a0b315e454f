"""Studio's canvas editor in a real browser on the local stack.

The journey issue 13 asks for: a tenant's editor makes a new workflow, builds three nodes by
dragging node types from the palette and wiring their ports handle to handle with the mouse,
sees the builder's problems on the nodes, in the list and on the fields, fixes them in the
params forms until none is left, saves a version with a message, publishes, runs, and watches
every node turn successful. Then, on its own, the stale save: someone saved in between, and the
editor overwrites knowingly. The journey's nodes (file_ingest, then chunk_documents twice) run
in plain Python, so its run takes seconds of work rather than a Spark start.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.stack_api import Builder
from tests.e2e.studio_pages import open_signed_in, serious_accessibility_problems
from tests.harness.stack import LocalStack, Login
from tests.integration.builder import queries
from tests.integration.builder.specs import node, spec

pytestmark = pytest.mark.e2e

WORDS = 40  # per document: one chunk each at the default 120 words
DOCUMENTS = "doc_id,text\n" + "\n".join(
    f"{doc},{' '.join(f'w{doc}_{i}' for i in range(WORDS))}" for doc in range(5)
)
LANDING = "studio_journey"
# What waits on the builder (validation after an edit, a save): a busy two-core machine.
CHECK_MS = 20_000
# Publishing waits for Airflow to parse the DAG, a run for its tasks: minutes when loaded.
RUN_MS = 240_000


@pytest.fixture(scope="module")
def editor(stack: LocalStack) -> tuple[Builder, Login]:
    tenant = stack.tenants[0]
    landing = stack.home / "lake" / "tenants" / tenant.name / "landing" / LANDING
    landing.mkdir(parents=True, exist_ok=True)
    (landing / "documents.csv").write_text(DOCUMENTS)
    return Builder(stack, tenant.builder_token), stack.studio_login(tenant.studio_username)


def latest(builder: Builder, workflow_id: str) -> dict[str, Any]:
    versions = builder.data(queries.WORKFLOW, id=workflow_id)["workflow"]["versions"]
    return max(versions, key=lambda version: version["number"])


def no_serious_problems(page: Page) -> None:
    assert serious_accessibility_problems(page) == []


def drawn(canvas: Locator, node_id: str) -> Locator:
    """A node on the canvas as a person finds it: the box that reads its id."""
    # `has` looks inside each group, so the inner locator starts from the page, not the canvas.
    return canvas.get_by_role("group").filter(has=canvas.page.get_by_text(node_id, exact=True))


def handle(canvas: Locator, end: str, kind: str) -> Locator:
    """The handle of a port ("node.port"): outputs (React Flow's sources) sit on a node's
    right, inputs (targets) on its left; they have no name but the port's hover title."""
    node_id, port = end.split(".")
    return canvas.locator(
        f'.react-flow__node[data-id="{node_id}"] .react-flow__handle.{kind}[data-handleid="{port}"]'
    )


def wire(page: Page, canvas: Locator, source: str, target: str) -> None:
    """Drag with the mouse from an output's handle to an input's, in steps as a hand does (React
    Flow follows the pointer and connects to the handle under it on release)."""
    handle(canvas, source, "source").hover()
    page.mouse.down()
    box = handle(canvas, target, "target").bounding_box()
    assert box, f"the handle of {target} is not on screen"
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=12)
    page.mouse.up()


def test_build_three_nodes_fix_their_problems_save_publish_and_run_until_all_succeed(
    stack: LocalStack, editor: tuple[Builder, Login], page: Page
) -> None:
    builder, login = editor
    suffix = uuid.uuid4().hex[:6]
    name = f"studio_journey_{suffix}"
    open_signed_in(page, stack, login)
    new = page.get_by_role("form", name="New workflow")
    new.get_by_label("Name").fill(name)
    new.get_by_role("button", name="New workflow").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    workflow_id = page.url.rstrip("/").rsplit("/", 1)[-1]

    # Three nodes dragged from the palette, found by searching it.
    palette = page.get_by_role("region", name="Node palette")
    search = palette.get_by_label("Search node types")
    canvas = page.get_by_label("Workflow graph")
    search.fill("files")
    expect(palette.get_by_role("button", name="train", exact=True)).to_have_count(0)
    palette.get_by_role("button", name="file_ingest", exact=True).drag_to(
        canvas, target_position={"x": 30, "y": 40}
    )
    search.fill("chunk")
    chunk = palette.get_by_role("button", name="chunk_documents", exact=True)
    chunk.drag_to(canvas, target_position={"x": 250, "y": 140})
    chunk.drag_to(canvas, target_position={"x": 470, "y": 40})
    for node_id in ("file_ingest_1", "chunk_documents_1", "chunk_documents_2"):
        expect(drawn(canvas, node_id)).to_be_visible()
    expect(page.get_by_text("Unsaved changes")).to_be_visible()

    # The builder's problems, placed where a person looks: the list, the node, the field.
    problems = page.get_by_role("list", name="Problems")
    unwired = "chunk_documents_2 inputs.table: required input 'table' (table) is not connected"
    expect(problems).to_contain_text(unwired, timeout=CHECK_MS)
    expect(problems).to_contain_text("file_ingest_1 source: Field required")
    expect(drawn(canvas, "file_ingest_1")).to_contain_text("3 problems")
    expect(drawn(canvas, "chunk_documents_2")).to_contain_text("2 problems")

    # Wired with the mouse, handle to handle: the unconnected inputs' problems go.
    page.get_by_role("button", name="Fit view", exact=True).click()
    wire(page, canvas, "file_ingest_1.table", "chunk_documents_1.table")
    wire(page, canvas, "chunk_documents_1.table", "chunk_documents_2.table")
    for edge in ("file_ingest_1 to chunk_documents_1", "chunk_documents_1 to chunk_documents_2"):
        expect(canvas.get_by_label(f"Edge from {edge}")).to_have_count(1)
    expect(problems).not_to_contain_text("is not connected", timeout=CHECK_MS)
    expect(drawn(canvas, "chunk_documents_2")).to_contain_text("1 problem")
    no_serious_problems(page)

    # A problem in the list opens its node's form, where the field says it too.
    problems.get_by_role("button", name="file_ingest_1 source: Field required").click()
    form = page.get_by_role("form", name="Parameters of file_ingest_1")
    expect(form.get_by_text("Field required")).to_have_count(3)
    form.get_by_label(re.compile(r"^Source")).fill(f"lake://landing/{LANDING}/*.csv")
    expect(problems).not_to_contain_text("file_ingest_1 source:", timeout=CHECK_MS)
    expect(drawn(canvas, "file_ingest_1")).to_contain_text("2 problems")
    form.get_by_label(re.compile(r"^Format")).select_option("csv")
    form.get_by_label(re.compile(r"^Dataset")).fill(f"journey_{suffix}/documents")
    expect(drawn(canvas, "file_ingest_1")).not_to_contain_text("problem", timeout=CHECK_MS)
    for node_id, dataset in (("chunk_documents_1", "passages"), ("chunk_documents_2", "again")):
        problems.get_by_role("button", name=f"{node_id} output_dataset: Field required").click()
        form = page.get_by_role("form", name=f"Parameters of {node_id}")
        form.get_by_label(re.compile(r"^Output Dataset")).fill(f"journey_{suffix}/{dataset}")
    expect(page.get_by_text("No problems: the design can be published.")).to_be_visible(
        timeout=CHECK_MS
    )
    expect(canvas.get_by_text(re.compile(r"\d+ problems?$"))).to_have_count(0)

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_label("Version message").fill("read, chunk and chunk again")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_text("Saved as version 2")).to_be_visible(timeout=CHECK_MS)
    saved = latest(builder, workflow_id)
    assert saved["number"] == 2 and saved["message"] == "read, chunk and chunk again"
    assert [n["id"] for n in saved["spec"]["nodes"]] == [
        "file_ingest_1",
        "chunk_documents_1",
        "chunk_documents_2",
    ]
    assert [(e["source"], e["target"]) for e in saved["spec"]["edges"]] == [
        ("file_ingest_1.table", "chunk_documents_1.table"),
        ("chunk_documents_1.table", "chunk_documents_2.table"),
    ]
    assert saved["spec"]["nodes"][0]["params"]["format"] == "csv"

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Published version 2")).to_be_visible(
        timeout=RUN_MS
    )
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Run of .*, v2$"))).to_be_visible(
        timeout=RUN_MS
    )
    status = page.get_by_role("status").filter(has_text=re.compile(r"^Run "))
    expect(status).to_have_text("Run success: 3 of 3 nodes succeeded", timeout=RUN_MS)
    for node_id in ("file_ingest_1", "chunk_documents_1", "chunk_documents_2"):
        expect(page.get_by_role("button", name=f"{node_id}: success")).to_be_visible()
    graph = page.get_by_label(re.compile(r"^Graph of run "))
    expect(graph.get_by_text("success", exact=True)).to_have_count(3)


def test_a_stale_save_shows_the_newer_version_and_overwrites_knowingly(
    stack: LocalStack, editor: tuple[Builder, Login], page: Page
) -> None:
    builder, login = editor
    first = spec(
        f"studio_stale_{uuid.uuid4().hex[:6]}",
        nodes=[
            node(
                "load",
                "file_ingest",
                {"source": f"lake://landing/{LANDING}/*.csv", "format": "csv", "dataset": "docs"},
            )
        ],
    )
    workflow_id = builder.create(first)
    open_signed_in(page, stack, login, f"workflows/{workflow_id}")
    canvas = page.get_by_label("Workflow graph")
    expect(drawn(canvas, "load")).to_be_visible()

    # Someone else saves version 2 through the API while this page still stands on 1.
    theirs = {**first, "metadata": {**first["metadata"], "title": "Theirs"}}
    builder.data(queries.UPDATE, id=workflow_id, expected=1, spec=theirs, message="theirs")

    palette = page.get_by_role("region", name="Node palette")
    palette.get_by_role("button", name="train", exact=True).press("Enter")
    expect(drawn(canvas, "train_1")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_label("Version message").fill("add training")
    page.get_by_role("button", name="Save version").click()
    dialog = page.get_by_role("alertdialog", name="Someone saved a newer version")
    expect(dialog).to_contain_text("the workflow is at version 2, not 1", timeout=CHECK_MS)
    no_serious_problems(page)
    dialog.get_by_role("button", name="Overwrite").click()
    expect(page.get_by_text("Saved as version 3")).to_be_visible(timeout=CHECK_MS)
    mine = latest(builder, workflow_id)
    assert mine["message"] == "add training"
    assert [n["id"] for n in mine["spec"]["nodes"]] == ["load", "train_1"]
