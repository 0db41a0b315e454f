"""Studio's Dashboard in a real browser on the local stack: the seeded runs and deployment reach
the insights service through Airflow's listener and the activity topic, and an owner sees them
as figures, asks a question in plain English, and sets what a run is worth."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.studio_pages import open_signed_in, serious_accessibility_problems
from tests.e2e.studio_seed import StudioData
from tests.harness.stack import LocalStack

pytestmark = pytest.mark.e2e

# The listener sends each run's end as it happens and the service lands it within a second or
# two; on a loaded two-core machine the first figures are given a minute.
ACTIVITY_MS = 60_000
SUCCESSFUL_RUNS = {
    "metrics": ["runs"],
    "group_by": ["workflow"],
    "filters": [{"dimension": "state", "values": ["success"]}],
}


def successful_workflow(stack: LocalStack, page: Page) -> str:
    """A workflow of the tenant with a successful run (its value counts for those only), asked
    of the insights API with the tab's own sign-in token."""
    token = page.evaluate("() => JSON.parse(sessionStorage['airloom.studio.session']).token")
    answer = httpx.post(
        stack.url("AIRLOOM_INSIGHTS_PORT", "/api/v1/questions"),
        json={"query": SUCCESSFUL_RUNS},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    assert rows, "no successful run of the tenant reached the insights service"
    return rows[0][0]


def test_an_owner_reads_asks_and_values_on_the_dashboard(
    stack: LocalStack, page: Page, studio_data: StudioData
) -> None:
    tenant = studio_data.tenant
    open_signed_in(page, stack, stack.studio_login(tenant.studio_username), "workflows")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # The seeded runs (a failed workflow run, the model's deployment) as key figures.
    expect(page.get_by_role("group", name="Runs")).to_have_text(
        re.compile(r"Runs\s*[1-9]"), timeout=ACTIVITY_MS
    )
    expect(page.get_by_role("group", name="Cost")).to_have_text(re.compile(r"Cost\s*\$\d"))
    expect(page.get_by_role("group", name="Failure rate")).to_have_text(re.compile(r"\d+ %"))
    roi_table = page.get_by_role("table", name="ROI by workflow")
    expect(roi_table.get_by_role("row", name=re.compile("^orders_cleanup"))).to_be_visible(
        timeout=ACTIVITY_MS
    )

    page.get_by_role("textbox", name="Question").fill("cost by workflow last 7 days")
    page.get_by_role("button", name="Ask").click()
    expect(page.get_by_role("status").filter(has_text="Understood as")).to_contain_text(
        "Cost per workflow"
    )
    answer = page.get_by_role("table", name=re.compile("^Answer: Cost per workflow"))
    expect(answer.get_by_role("row", name=re.compile("orders_cleanup"))).to_be_visible()
    page.get_by_text("SQL", exact=True).click()
    expect(page.get_by_text(re.compile(r"WHERE tenant = \$tenant")).first).to_be_visible()

    workflow = successful_workflow(stack, page)
    row = roi_table.get_by_role("row", name=re.compile(rf"^{re.escape(workflow)}\b"))
    expect(row).to_contain_text("$0.00")  # nothing is worth anything until the owner says so
    roi_tile = page.get_by_role("group", name="ROI")
    roi_before = roi_tile.text_content() or ""
    values = page.get_by_role("form", name="Set a value")
    values.get_by_label("Workflow or endpoint").fill(workflow)
    values.get_by_label("Amount (USD)").fill("5")
    values.get_by_role("button", name="Set value").click()
    expect(page.get_by_role("status").filter(has_text="Value set")).to_have_text(
        f"Value set: {workflow} is worth $5.00 per successful run"
    )
    expect(row).to_contain_text(re.compile(r"\$[1-9][\d,]*\.\d\d"))  # its successful runs times $5
    expect(roi_tile).not_to_have_text(roi_before)

    assert serious_accessibility_problems(page) == []
