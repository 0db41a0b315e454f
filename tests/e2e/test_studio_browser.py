"""Studio in a real browser on the local stack: signing in and the workflows list.

A person opens Studio on the builder, is sent to sign in, and sees their workflows with who
they are; what is asserted is what the page shows (text, accessible roles and names).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.stack_api import Builder
from tests.e2e.studio_pages import (
    nodes_shown,
    serious_accessibility_problems,
    settle,
    sign_in,
    studio,
)
from tests.harness.stack import LocalStack, Login, StackTenant
from tests.integration.builder.specs import spec

pytestmark = pytest.mark.e2e


def test_a_person_is_sent_to_sign_in_and_then_sees_the_workflows(
    stack: LocalStack, page: Page
) -> None:
    page.goto(studio(stack))
    expect(page).to_have_url(re.compile(r"/studio/signin$"))
    expect(page.get_by_role("heading", name="Sign in to Airloom Studio")).to_be_visible()

    sign_in(page, stack.studio_login())
    expect(page).to_have_url(re.compile(r"/studio/workflows$"))
    expect(page.get_by_role("heading", name="Workflows")).to_be_visible()
    who = page.get_by_label("Signed in as")
    for shown in ("admin", "default", "admin"):
        expect(who).to_contain_text(shown)
    expect(page.get_by_role("form", name="New workflow")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_wrong_password_shows_the_refusal_and_signs_nobody_in(
    stack: LocalStack, page: Page
) -> None:
    page.goto(studio(stack, "signin"))
    sign_in(page, Login("admin", "not-the-password"))
    expect(page.get_by_role("alert")).to_have_text("wrong user name or password")
    expect(page).to_have_url(re.compile(r"/studio/signin$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    # Still signed out: Studio's own pages send the person back to sign in.
    page.goto(studio(stack, "workflows"))
    expect(page).to_have_url(re.compile(r"/studio/signin$"))


def test_a_tenants_editor_sees_its_own_workflow_and_who_they_are(
    stack: LocalStack, page: Page
) -> None:
    tenant: StackTenant = stack.tenants[0]
    other: StackTenant = stack.tenants[1]
    mine = spec(f"{tenant.name}_browser_mine")
    theirs = spec(f"{other.name}_browser_theirs")
    Builder(stack, tenant.builder_token).create(mine)
    Builder(stack, other.builder_token).create(theirs)

    page.goto(studio(stack, "workflows"))
    sign_in(page, stack.studio_login(tenant.studio_username))
    who = page.get_by_label("Signed in as")
    for shown in (tenant.studio_username, tenant.name, "editor"):
        expect(who).to_contain_text(shown)
    title = mine["metadata"]["title"]
    expect(page.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_text("draft").first).to_be_visible()
    expect(page.get_by_role("link", name=theirs["metadata"]["title"])).to_have_count(0)
    # An editor may create workflows, so the control is there.
    expect(page.get_by_role("form", name="New workflow")).to_be_visible()


def test_sign_in_and_workflows_pages_have_no_serious_accessibility_problems(
    stack: LocalStack, page: Page
) -> None:
    page.goto(studio(stack, "signin"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert serious_accessibility_problems(page) == []

    sign_in(page, Login("admin", "not-the-password"))
    expect(page.get_by_role("alert")).to_be_visible()
    assert serious_accessibility_problems(page) == []

    # A list with a workflow in it: the table, its links and badges are checked too.
    tenant: StackTenant = stack.tenants[1]
    listed = spec(f"{tenant.name}_browser_a11y")
    Builder(stack, tenant.builder_token).create(listed)
    sign_in(page, stack.studio_login(tenant.studio_username))
    expect(page.get_by_role("link", name=listed["metadata"]["title"])).to_be_visible()
    assert serious_accessibility_problems(page) == []


def test_an_editor_starts_a_workflow_from_the_templates_gallery(
    stack: LocalStack, page: Page
) -> None:
    tenant: StackTenant = stack.tenants[1]
    page.goto(studio(stack, "workflows"))
    sign_in(page, stack.studio_login(tenant.studio_username))
    page.get_by_role("link", name="Start from a template").click()
    settle(page)
    expect(page.get_by_role("heading", name="Templates", level=1)).to_be_visible()
    # Cards by industry, each with a picture of its graph that names its steps.
    payments = page.get_by_role("region", name="payments")
    card = payments.get_by_role("article", name="Fraud detection on a stream")
    expect(card.get_by_role("img")).to_have_accessible_name(re.compile(r"^Graph of .*: 5 steps"))
    expect(page.get_by_role("region", name="knowledge management")).to_be_visible()
    assert serious_accessibility_problems(page) == []

    form = page.get_by_role("form", name="Start from Customer churn prediction")
    form.get_by_label("Workflow name").fill(f"{tenant.name}_churn_from_template")
    form.get_by_role("button", name="Create workflow").click()
    # The new workflow opens on the canvas with the template's six steps.
    expect(page.get_by_role("heading", name="Customer churn prediction", level=1)).to_be_visible()
    nodes_shown(page, 6)
