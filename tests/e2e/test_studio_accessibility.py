"""axe-core on every page of Studio, each with something on it: no serious or critical
accessibility problem on any of them.

Each page is opened as a person would (signed in as the tenant's editor, who sees the most
controls) and checked once it has loaded: a template workflow's canvas with its nodes drawn and
the diff of its two versions, a failed run with its node panel open, a model with two versions,
their comparison, and the endpoint serving it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.studio_pages import (
    nodes_shown,
    open_signed_in,
    serious_accessibility_problems,
    studio,
)
from tests.e2e.studio_seed import StudioData
from tests.harness.stack import LocalStack

pytestmark = pytest.mark.e2e

# Each page of Studio, by what a person calls it: its path for the seeded data.
PAGES: dict[str, Callable[[StudioData], str]] = {
    "workflows": lambda data: "workflows",
    "templates": lambda data: "workflows/templates",
    "canvas": lambda data: f"workflows/{data.workflow_id}",
    "versions": lambda data: f"workflows/{data.workflow_id}/versions",
    "runs": lambda data: f"workflows/{data.run_workflow_id}/runs",
    "run": lambda data: f"workflows/{data.run_workflow_id}/runs/{data.run_id}",
    "marketplace": lambda data: "marketplace",
    "model": lambda data: f"marketplace/models/{data.model}",
    "compare": lambda data: f"marketplace/compare?v={data.model}:1&v={data.model}:2",
    "endpoints": lambda data: "endpoints",
    "endpoint": lambda data: f"endpoints/{data.endpoint}",
}


def test_the_sign_in_page_has_no_serious_accessibility_problems(
    stack: LocalStack, page: Page
) -> None:
    page.goto(studio(stack, "signin"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert serious_accessibility_problems(page) == []


@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_has_no_serious_accessibility_problems(
    stack: LocalStack, studio_data: StudioData, page: Page, name: str
) -> None:
    editor = stack.studio_login(studio_data.tenant.studio_username)
    open_signed_in(page, stack, editor, PAGES[name](studio_data))
    if name in ("canvas", "versions", "run"):
        nodes_shown(page, 1)
    assert serious_accessibility_problems(page) == []


def test_a_failed_nodes_panel_has_no_serious_accessibility_problems(
    stack: LocalStack, studio_data: StudioData, page: Page
) -> None:
    """The run page with the failed node opened: its error, log tail and output preview."""
    editor = stack.studio_login(studio_data.tenant.studio_username)
    open_signed_in(page, stack, editor, PAGES["run"](studio_data))
    page.get_by_role("button", name=re.compile(r"^clean: ")).click()
    expect(page.get_by_role("region", name="Node clean")).to_be_visible()
    expect(page.get_by_role("button", name="Retry from this node")).to_be_visible()
    assert serious_accessibility_problems(page) == []


def test_the_workflows_page_of_a_viewer_has_no_serious_accessibility_problems(
    stack: LocalStack, studio_data: StudioData, page: Page
) -> None:
    """A viewer's pages lack the edit controls, so the layout differs: checked too."""
    open_signed_in(page, stack, studio_data.tenant.studio_viewer)
    expect(page.get_by_role("link", name=studio_data.workflow_title)).to_be_visible()
    assert serious_accessibility_problems(page) == []
