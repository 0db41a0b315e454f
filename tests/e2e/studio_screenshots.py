"""Screenshots of Studio's main pages for the docs and the README: `make screenshots`.

Starts the local stack as the end-to-end tests do (two tenants bootstrapped), fills the first
tenant's pages through the public APIs (tests/e2e/studio_seed.py: a customer-churn workflow
from the templates gallery with two versions, a run that fails, a model with two versions
deployed to an endpoint; a few minutes), asks the endpoint for a few predictions (so the
Dashboard's figures count some), and drives the pages with the browser tests' own helpers
(tests/e2e/studio_pages.py), signed in as the tenant's editor, at 1280x800 (the Dashboard
whole, its sections one under another). Writes docs/images/studio-<page>.png.

    make studio && .venv/bin/python -m tests.e2e.studio_screenshots [--only canvas ...]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.stack_insights import predict
from tests.e2e.studio_pages import new_page, nodes_shown, open_signed_in, studio, visit
from tests.e2e.studio_seed import FEATURES, StudioData, seed_studio
from tests.harness.browser import chromium
from tests.harness.stack import LocalStack, local_stack

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
# Kept small enough for a repository: a page at 1280x800 is far below this as a PNG.
MAX_BYTES = 300_000
# The seeded run's figures reach the Dashboard through the listener and the activity topic.
ACTIVITY_MS = 60_000
PREDICTIONS = 3  # requests of a few rows each to the seeded endpoint


@dataclass(frozen=True)
class Shot:
    """One page to picture: its path for the seeded data, and what to wait for beyond the
    page's heading (the canvas's nodes drawn, say)."""

    name: str
    path: Callable[[StudioData], str]
    ready: Callable[[Page], object] = lambda page: None
    full_page: bool = False  # the whole page, not only what fits in the window


def failed_node_open(page: Page) -> None:
    nodes_shown(page, 1)
    page.get_by_role("button", name=re.compile(r"^clean: ")).click()
    page.get_by_role("button", name="Retry from this node").wait_for()
    page.get_by_role("heading", name="Log tail").wait_for()  # the panel's slower half


def dashboard_answered(page: Page) -> None:
    """Key figures and ROI from the seeded activity, and a question answered with its chart."""
    runs = page.get_by_role("group", name="Runs")
    expect(runs).to_have_text(re.compile(r"Runs\s*[1-9]"), timeout=ACTIVITY_MS)
    expect(page.get_by_role("group", name="Predictions")).to_have_text(
        re.compile(r"Predictions\s*[1-9]"), timeout=ACTIVITY_MS
    )
    page.get_by_role("table", name="ROI by workflow").wait_for()
    page.get_by_role("textbox", name="Question").fill("cost by workflow last 7 days")
    page.get_by_role("button", name="Ask").click()
    page.get_by_role("status").filter(has_text="Understood as").wait_for()


SHOTS = (
    Shot("workflows", lambda data: "workflows"),
    Shot("templates", lambda data: "workflows/templates"),
    Shot("canvas", lambda data: f"workflows/{data.workflow_id}", lambda page: nodes_shown(page, 1)),
    Shot(
        "versions",
        lambda data: f"workflows/{data.workflow_id}/versions",
        lambda page: nodes_shown(page, 1),
    ),
    Shot(
        "run", lambda data: f"workflows/{data.run_workflow_id}/runs/{data.run_id}", failed_node_open
    ),
    Shot("marketplace", lambda data: "marketplace"),
    Shot("model", lambda data: f"marketplace/models/{data.model}"),
    Shot("compare", lambda data: f"marketplace/compare?v={data.model}:1&v={data.model}:2"),
    Shot("endpoints", lambda data: "endpoints"),
    Shot("endpoint", lambda data: f"endpoints/{data.endpoint}"),
    Shot("dashboard", lambda data: "dashboard", dashboard_answered, full_page=True),
)


def save(page: Page, name: str, *, full_page: bool = False) -> Path:
    # The fit-view and fade-in animations end before the picture is taken.
    page.wait_for_timeout(500)
    path = IMAGES / f"studio-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    size = path.stat().st_size
    if size > MAX_BYTES:
        sys.exit(f"{path} is {size} bytes, more than {MAX_BYTES}: picture less of the page")
    print(f"{path.relative_to(IMAGES.parents[1])}  {size // 1024} KB", flush=True)
    return path


def sign_in_page(browser: Browser, stack: LocalStack) -> None:
    with new_page(browser) as page:
        page.goto(studio(stack, "signin"))
        page.get_by_role("button", name="Sign in").wait_for()
        save(page, "signin")


def pages(browser: Browser, stack: LocalStack, data: StudioData, only: set[str]) -> None:
    editor = stack.studio_login(data.tenant.studio_username)
    with new_page(browser) as page:
        open_signed_in(page, stack, editor)
        for shot in SHOTS:
            if only and shot.name not in only:
                continue
            visit(page, stack, shot.path(data))
            shot.ready(page)
            save(page, shot.name, full_page=shot.full_page)


def served_predictions(stack: LocalStack, data: StudioData) -> None:
    """A few predictions from the seeded endpoint, through the marketplace like any client's."""
    rows = [[12.0 + i, 30.5 + 4 * i, float(i % 3), 5.0 + 2 * i] for i in range(4)]
    payload = {"dataframe_split": {"columns": FEATURES, "data": rows}}
    for _ in range(PREDICTIONS):
        predict(stack, data.tenant.marketplace_key, data.endpoint, payload)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = ["signin", *(shot.name for shot in SHOTS)]
    parser.add_argument("--only", nargs="*", choices=names, default=[], help="these pages only")
    only = set(parser.parse_args().only)
    IMAGES.mkdir(parents=True, exist_ok=True)
    with local_stack() as stack, chromium() as browser:
        data = seed_studio(stack)
        served_predictions(stack, data)
        if not only or "signin" in only:
            sign_in_page(browser, stack)
        pages(browser, stack, data, only)


if __name__ == "__main__":
    main()
