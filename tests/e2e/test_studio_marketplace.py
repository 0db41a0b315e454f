"""Studio's marketplace in a real browser on the local stack: find a model, read its page,
compare two versions, deploy one and predict from the try-it form, deploy the other, roll back
on the endpoint's page and see the rollback in its history.

The model is a small scikit-learn classifier registered through MLflow's own API for the
first tenant (two versions); everything after that is done the way a person does it, in
Studio, and asserted by what the page shows (roles, accessible names, text). Each page is
also checked with axe-core once it has loaded.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.studio_pages import (
    open_signed_in,
    serious_accessibility_problems,
    settle,
    visit,
)
from tests.e2e.studio_seed import register_model, wait_listed
from tests.harness.stack import LocalStack, StackTenant

pytestmark = pytest.mark.e2e

# A deployment validates a version never validated first, then serves it: minutes at most on
# a loaded two-core machine.
DEPLOY_MS = 600_000
# Values for the model's four double inputs (studio_seed.FEATURES), typed into the form.
ROW = {"tenure": "3", "monthly_spend": "42.5", "support_calls": "7", "days_since_last_event": "30"}


@pytest.fixture(scope="module")
def market_model(stack: LocalStack) -> tuple[StackTenant, str, str]:
    """The tenant, a model of its own with two versions, and an endpoint name for it."""
    tenant = stack.tenants[0]
    model = f"{tenant.name}_studio_market"
    register_model(stack, tenant.name, model)
    wait_listed(stack, tenant.marketplace_key, model)
    endpoint = re.sub(r"[^a-z0-9]+", "-", f"{tenant.name}-market").strip("-")
    return tenant, model, endpoint


def no_accessibility_problems(page: Page) -> None:
    assert serious_accessibility_problems(page) == []


def deploy(page: Page, model: str, version: int, endpoint: str) -> None:
    """Deploy from the model's page and wait for the run to be ready."""
    page.get_by_role("button", name=f"Show v{version}").click()
    expect(page.get_by_role("heading", name=f"{model} v{version}")).to_be_visible()
    page.get_by_role("button", name="Deploy", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Deploy {model} v{version}")
    dialog.get_by_label("Endpoint name").fill(endpoint)
    expect(dialog.get_by_label("Target")).to_have_value("local")
    dialog.get_by_role("button", name="Deploy", exact=True).click()
    expect(dialog.get_by_role("list", name="Phases")).to_be_visible()
    expect(
        dialog.get_by_text(f"Ready: endpoint {endpoint} serves {model} v{version}.")
    ).to_be_visible(timeout=DEPLOY_MS)


def test_find_compare_deploy_predict_and_roll_back(
    stack: LocalStack, page: Page, market_model: tuple[StackTenant, str, str]
) -> None:
    tenant, model, endpoint = market_model
    open_signed_in(page, stack, stack.studio_login(tenant.studio_username), "marketplace")

    # Search finds the model; its card links to its page.
    page.get_by_label("Search models").fill(model)
    expect(page).to_have_url(re.compile(rf"/studio/marketplace\?q={model}$"))
    expect(page.get_by_role("group", name="Task")).to_contain_text("classification")
    page.get_by_role("link", name=model).click()
    settle(page)

    # The model page: card, versions, lineage of the latest version.
    expect(page.get_by_role("heading", name=model, level=1)).to_be_visible()
    expect(page.get_by_text("Predicts which customers will cancel.")).to_be_visible()
    for version in (1, 2):
        expect(page.get_by_role("checkbox", name=f"Pick v{version} to compare")).to_be_visible()
    lineage = page.get_by_role("list", name="Lineage")
    expect(lineage).to_contain_text(f"Training run{model} v2")
    expect(lineage).to_contain_text(f"Model version{model} v2")
    no_accessibility_problems(page)

    # Compare both versions: each ranked metric has its best said in words.
    page.get_by_role("checkbox", name="Pick v1 to compare").check()
    page.get_by_role("checkbox", name="Pick v2 to compare").check()
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/studio/marketplace/compare\?v="))
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("^roc_auc"))).to_contain_text("best")
    expect(table.get_by_role("row", name=re.compile("^Signature"))).to_contain_text("identical")
    no_accessibility_problems(page)

    # Deploy v1, follow its phases, then predict from the try-it form.
    page.go_back()
    settle(page)
    deploy(page, model, 1, endpoint)
    dialog = page.get_by_role("dialog", name=f"Deploy {model} v1")
    form = dialog.get_by_role("form", name=f"Try {endpoint}")
    for column, value in ROW.items():
        form.get_by_label(re.compile(f"^{column}")).fill(value)
    form.get_by_role("button", name="Predict").click()
    expect(form.get_by_role("region", name="Prediction")).to_have_text(
        re.compile(r"Prediction: [01]$")
    )
    no_accessibility_problems(page)
    dialog.get_by_role("button", name="Close").click()

    # The lineage now ends at the endpoint serving v1.
    page.reload()
    settle(page)
    page.get_by_role("button", name="Show v1").click()
    expect(
        page.get_by_role("list", name="Lineage").get_by_role("link", name=endpoint)
    ).to_be_visible()

    # Deploy v2 to the same endpoint, then roll back on the endpoint's page.
    deploy(page, model, 2, endpoint)
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    visit(page, stack, f"endpoints/{endpoint}")
    expect(page.get_by_role("definition").filter(has_text="v2")).to_be_visible()
    no_accessibility_problems(page)
    page.get_by_role("button", name="Roll back").click()
    confirm = page.get_by_role("form", name="Confirm rollback")
    confirm.get_by_label("Reason (optional)").fill("v2 checked from Studio")
    confirm.get_by_role("button", name="Confirm rollback").click()
    expect(page.get_by_text(re.compile(f"^Ready: .* serves {model} v1\\.$"))).to_be_visible(
        timeout=DEPLOY_MS
    )
    history = page.get_by_role("list", name="History")
    expect(history.get_by_role("listitem").first).to_contain_text("v2 → v1")
    expect(history.get_by_role("listitem").first).to_contain_text("v2 checked from Studio")
    expect(history.get_by_role("listitem")).to_have_count(3)
    # The try-it form on the endpoint's page predicts from the version now served.
    form = page.get_by_role("form", name=f"Try {endpoint}")
    for column, value in ROW.items():
        form.get_by_label(re.compile(f"^{column}")).fill(value)
    form.get_by_role("button", name="Predict").click()
    expect(form.get_by_role("region", name="Prediction")).to_have_text(
        re.compile(r"Prediction: [01]$")
    )
