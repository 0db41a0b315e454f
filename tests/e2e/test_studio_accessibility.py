"""axe-core on every page of Studio, each with something on it: no serious or critical
accessibility problem on any of them.

Each page is opened as a person would (signed in as the tenant's editor, who sees the most
controls) and checked once it has loaded; the canvas is checked with a template workflow's
nodes drawn.
"""

from __future__ import annotations

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
    "canvas": lambda data: f"workflows/{data.workflow_id}",
    "marketplace": lambda data: "marketplace",
    "endpoints": lambda data: "endpoints",
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
    if name == "canvas":
        nodes_shown(page, 1)
    assert serious_accessibility_problems(page) == []


def test_the_workflows_page_of_a_viewer_has_no_serious_accessibility_problems(
    stack: LocalStack, studio_data: StudioData, page: Page
) -> None:
    """A viewer's pages lack the edit controls, so the layout differs: checked too."""
    open_signed_in(page, stack, studio_data.tenant.studio_viewer)
    expect(page.get_by_role("link", name=studio_data.workflow_title)).to_be_visible()
    assert serious_accessibility_problems(page) == []
