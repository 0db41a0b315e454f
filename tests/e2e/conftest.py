"""What the end-to-end modules share: the two tenants `airloom up` bootstrapped, and the
browser Studio's tests drive."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.stack_api import Builder
from tests.e2e.studio_pages import new_page
from tests.e2e.studio_seed import StudioData, seed_studio
from tests.harness.browser import chromium, chromium_path
from tests.harness.stack import LocalStack

LOANS = "income,debt,years,approved\n" + "\n".join(
    f"{30 + i % 50},{(i * 7) % 40},{i % 12},{int((30 + i % 50) > (i * 7) % 40 + 20)}"
    for i in range(300)
)


@pytest.fixture(scope="module")
def tenants(stack: LocalStack) -> dict[str, Any]:
    victim, evil = stack.tenants
    for tenant in (victim, evil):
        folder = stack.home / "lake" / "tenants" / tenant.name / "landing" / "loans"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "applications.csv").write_text(LOANS)
    return {
        "victim": victim,
        "evil": evil,
        "victim_builder": Builder(stack, victim.builder_token),
        "evil_builder": Builder(stack, evil.builder_token),
        "platform": Builder(stack, stack.credentials["builder_token"]),
    }


@pytest.fixture(scope="module")
def browser(stack: LocalStack) -> Iterator[Browser]:
    chromium_path()  # skip or fail before anything else when the machine has no chromium
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab in a context of its own: nobody is signed in (the token is per tab)."""
    with new_page(browser) as tab:
        yield tab


@pytest.fixture(scope="session")
def studio_data(stack: LocalStack) -> StudioData:
    """Something on Studio's pages for the first tenant: a template workflow and a model."""
    return seed_studio(stack)
