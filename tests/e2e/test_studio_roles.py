"""Roles shape what Studio offers: a tenant's viewer reads its workflows and models but is
offered no control that changes anything, while the tenant's editor gets them.

What is asserted is what the pages show by role and accessible name; the services check the
role again on every call (tested with the APIs), so this is about not offering what would be
refused.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.studio_pages import open_signed_in, visit
from tests.e2e.studio_seed import StudioData
from tests.harness.stack import LocalStack

pytestmark = pytest.mark.e2e

# What changes a workflow, by the accessible names the canvas gives its controls.
WORKFLOW_CONTROLS = ("Save", "Publish", "Run", "Delete")


def no_button(page: Page, name: str) -> None:
    expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)


def test_a_viewer_sees_the_tenants_workflows_but_no_new_workflow_form(
    stack: LocalStack, studio_data: StudioData, page: Page
) -> None:
    viewer = studio_data.tenant.studio_viewer
    open_signed_in(page, stack, viewer)
    who = page.get_by_label("Signed in as")
    for shown in (viewer.username, studio_data.tenant.name, "viewer"):
        expect(who).to_contain_text(shown)
    expect(page.get_by_role("link", name=studio_data.workflow_title)).to_be_visible()
    expect(page.get_by_role("form", name="New workflow")).to_have_count(0)


def test_a_viewer_reads_a_workflow_on_the_canvas_without_edit_controls(
    stack: LocalStack, studio_data: StudioData, page: Page
) -> None:
    open_signed_in(page, stack, studio_data.tenant.studio_viewer)
    page.get_by_role("link", name=studio_data.workflow_title).click()
    expect(page).to_have_url(re.compile(r"/studio/workflows/[^/]+$"))
    expect(page.get_by_role("heading", name=studio_data.workflow_title, level=1)).to_be_visible()
    # The template's nodes are on the canvas for the viewer to read.
    expect(page.get_by_label("Workflow graph")).to_be_visible()
    expect(page.locator(".react-flow__node").first).to_be_visible()
    expect(page.get_by_role("region", name="Node palette")).to_have_count(0)
    for name in WORKFLOW_CONTROLS:
        no_button(page, name)


def test_a_viewer_gets_no_deploy_or_rollback_in_the_marketplace(
    stack: LocalStack, studio_data: StudioData, page: Page
) -> None:
    open_signed_in(page, stack, studio_data.tenant.studio_viewer, "marketplace")
    expect(page.get_by_text(studio_data.model).first).to_be_visible()
    no_button(page, "Deploy")
    visit(page, stack, "endpoints")
    no_button(page, "Roll back")


def test_the_tenants_editor_gets_the_controls_a_viewer_does_not(
    stack: LocalStack, studio_data: StudioData, page: Page
) -> None:
    """The other side of the viewer's tests: the controls exist, for the roles that may use them."""
    editor = stack.studio_login(studio_data.tenant.studio_username)
    open_signed_in(page, stack, editor)
    expect(page.get_by_role("form", name="New workflow")).to_be_visible()
