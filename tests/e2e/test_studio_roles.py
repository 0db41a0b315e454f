"""Roles shape what Studio offers: a tenant's viewer reads its workflows, versions, runs,
models and endpoints but is offered no control that changes anything, while the tenant's
editor gets those controls on the same pages.

What is asserted is what the pages show by role and accessible name; the services check the
role again on every call (tested with the APIs), so this is about not offering what would be
refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.studio_pages import nodes_shown, open_signed_in
from tests.e2e.studio_seed import StudioData
from tests.harness.stack import LocalStack, Login

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Controls:
    """A page, what to do on it before looking (open a node), and the controls an editor
    gets there: buttons and regions by accessible name."""

    path: Callable[[StudioData], str]
    buttons: tuple[str, ...]
    regions: tuple[str, ...] = ()
    then: Callable[[Page], object] = lambda page: None


def open_failed_node(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^clean: ")).click()
    expect(page.get_by_role("region", name="Node clean")).to_be_visible()


PAGES = {
    "templates": Controls(lambda data: "workflows/templates", ("Create workflow",)),
    "canvas": Controls(
        lambda data: f"workflows/{data.workflow_id}",
        ("Save", "Publish", "Run", "Delete"),
        ("Node palette",),
        lambda page: nodes_shown(page, 1),
    ),
    "versions": Controls(
        lambda data: f"workflows/{data.workflow_id}/versions", ("Restore version 1",)
    ),
    "run": Controls(
        lambda data: f"workflows/{data.run_workflow_id}/runs/{data.run_id}",
        ("Retry from this node",),
        then=open_failed_node,
    ),
    "model": Controls(
        lambda data: f"marketplace/models/{data.model}", ("Deploy", "Validate", "Benchmark")
    ),
    "endpoint": Controls(lambda data: f"endpoints/{data.endpoint}", ("Roll back",)),
}


def open_page(page: Page, stack: LocalStack, login: Login, data: StudioData, name: str) -> None:
    controls = PAGES[name]
    open_signed_in(page, stack, login, controls.path(data))
    controls.then(page)


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


@pytest.mark.parametrize("name", list(PAGES))
def test_a_viewer_reads_a_page_without_its_edit_controls(
    stack: LocalStack, studio_data: StudioData, page: Page, name: str
) -> None:
    open_page(page, stack, studio_data.tenant.studio_viewer, studio_data, name)
    for button in PAGES[name].buttons:
        expect(page.get_by_role("button", name=button, exact=True)).to_have_count(0)
    for region in PAGES[name].regions:
        expect(page.get_by_role("region", name=region)).to_have_count(0)


def test_a_viewer_reads_the_canvas_graph(
    stack: LocalStack, studio_data: StudioData, page: Page
) -> None:
    open_signed_in(page, stack, studio_data.tenant.studio_viewer)
    page.get_by_role("link", name=studio_data.workflow_title).click()
    expect(page).to_have_url(re.compile(r"/studio/workflows/[^/]+$"))
    expect(page.get_by_role("heading", name=studio_data.workflow_title, level=1)).to_be_visible()
    expect(page.get_by_label("Workflow graph")).to_be_visible()
    expect(page.locator(".react-flow__node").first).to_be_visible()


def test_the_tenants_editor_gets_new_workflow(
    stack: LocalStack, studio_data: StudioData, page: Page
) -> None:
    editor = stack.studio_login(studio_data.tenant.studio_username)
    open_signed_in(page, stack, editor)
    expect(page.get_by_role("form", name="New workflow")).to_be_visible()


@pytest.mark.parametrize("name", list(PAGES))
def test_the_tenants_editor_gets_the_controls_a_viewer_does_not(
    stack: LocalStack, studio_data: StudioData, page: Page, name: str
) -> None:
    """The other side of the viewer's tests: the controls exist, for the roles that may use them."""
    editor = stack.studio_login(studio_data.tenant.studio_username)
    open_page(page, stack, editor, studio_data, name)
    for button in PAGES[name].buttons:  # one is enough: a template's card each has one
        expect(page.get_by_role("button", name=button, exact=True).first).to_be_visible()
    for region in PAGES[name].regions:
        expect(page.get_by_role("region", name=region)).to_be_visible()
