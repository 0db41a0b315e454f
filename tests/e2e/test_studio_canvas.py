"""Studio's canvas editor in a real browser on the local stack: a tenant's editor builds on a
new workflow by dragging from the palette, sees the builder's problems on the node, the list
and the field, fixes one in the params form, saves a version with a message, and meets the
stale-save dialog when someone saved in between, overwriting knowingly."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.stack_api import Builder
from tests.e2e.studio_pages import open_signed_in, serious_accessibility_problems
from tests.harness.stack import LocalStack, Login
from tests.integration.builder import queries

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def editor(stack: LocalStack) -> tuple[Builder, Login]:
    tenant = stack.tenants[0]
    return Builder(stack, tenant.builder_token), stack.studio_login(tenant.studio_username)


def versions(builder: Builder, workflow_id: str) -> list[dict[str, Any]]:
    return builder.data(queries.WORKFLOW, id=workflow_id)["workflow"]["versions"]


def latest(builder: Builder, workflow_id: str) -> dict[str, Any]:
    return max(versions(builder, workflow_id), key=lambda version: version["number"])


def test_build_fix_and_save_on_the_canvas_then_overwrite_a_newer_version(
    stack: LocalStack, editor: tuple[Builder, Login], page: Page
) -> None:
    builder, login = editor
    name = f"studio_canvas_{uuid.uuid4().hex[:6]}"
    open_signed_in(page, stack, login)
    new = page.get_by_role("form", name="New workflow")
    new.get_by_label("Name").fill(name)
    new.get_by_role("button", name="New workflow").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    workflow_id = page.url.rstrip("/").rsplit("/", 1)[-1]

    palette = page.get_by_role("region", name="Node palette")
    palette.get_by_label("Search node types").fill("files")
    expect(palette.get_by_role("button", name="train", exact=True)).to_have_count(0)
    canvas = page.get_by_label("Workflow graph")
    palette.get_by_role("button", name="file_ingest", exact=True).drag_to(
        canvas, target_position={"x": 200, "y": 150}
    )
    expect(canvas.get_by_text("file_ingest_1", exact=True)).to_be_visible()
    expect(page.get_by_text("Unsaved changes")).to_be_visible()

    # The builder's problems, placed where a person looks: the list, the node, the field.
    problems = page.get_by_role("list", name="Problems")
    expect(problems).to_contain_text("file_ingest_1 source: Field required")
    expect(problems).to_contain_text("file_ingest_1 format: Field required")
    expect(canvas.get_by_text("3 problems")).to_be_visible()
    form = page.get_by_role("form", name="Parameters of file_ingest_1")
    expect(form.get_by_text("Field required")).to_have_count(3)
    assert serious_accessibility_problems(page) == []

    form.get_by_label(re.compile(r"^Source")).fill("lake://landing/orders/*.csv")
    expect(problems).not_to_contain_text("file_ingest_1 source:")
    expect(problems).to_contain_text("file_ingest_1 format: Field required")
    expect(canvas.get_by_text("2 problems")).to_be_visible()

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_label("Version message").fill("read the orders files")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_text("Saved as version 2")).to_be_visible()
    saved = latest(builder, workflow_id)
    assert saved["number"] == 2 and saved["message"] == "read the orders files"
    [node] = saved["spec"]["nodes"]
    assert node["id"] == "file_ingest_1"
    # What was typed, beside the defaults the form showed (and so saves).
    assert node["params"]["source"] == "lake://landing/orders/*.csv"
    assert set(node["ui"]) == {"x", "y"}

    # Someone else saves version 3 through the API while this page still stands on 2.
    theirs = {**saved["spec"], "metadata": {**saved["spec"]["metadata"], "title": "Theirs"}}
    builder.data(queries.UPDATE, id=workflow_id, expected=2, spec=theirs, message="theirs")

    palette.get_by_label("Search node types").fill("")
    palette.get_by_role("button", name="train", exact=True).press("Enter")
    expect(canvas.get_by_text("train_1", exact=True)).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_label("Version message").fill("add training")
    page.get_by_role("button", name="Save version").click()
    dialog = page.get_by_role("alertdialog", name="Someone saved a newer version")
    expect(dialog).to_contain_text("the workflow is at version 3, not 2")
    assert serious_accessibility_problems(page) == []
    dialog.get_by_role("button", name="Overwrite").click()
    expect(page.get_by_text("Saved as version 4")).to_be_visible()
    mine = latest(builder, workflow_id)
    assert mine["message"] == "add training"
    assert [node["id"] for node in mine["spec"]["nodes"]] == ["file_ingest_1", "train_1"]
