"""Single sign-on into Studio in a real browser: Chromium, the builder served by uvicorn on
loopback with the built Studio, and the loopback OIDC provider as the identity provider (the
authorization-code flow with PKCE, as with Amazon Cognito's hosted sign-in). No local stack:
the builder alone is enough to sign in and list workflows.

A person presses "Sign in with single sign-on", signs in at the provider's page and lands on
their tenant's workflows; the services decide who the ID token speaks for, so a person the
provider vouches for without a tenant or an Airloom group is refused, on the sign-in page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from servicekit.airflow_client import RestAirflowClient
from servicekit.identity import IdentitySettings
from tests.e2e.studio_pages import (
    FIRST_LOAD_MS,
    WAIT_MS,
    new_page,
    serious_accessibility_problems,
)
from tests.harness.asgi_server import serve_app
from tests.harness.browser import chromium, chromium_path
from tests.harness.servers import free_port
from tests.integration.builder.api import fresh_database
from tests.integration.builder.queries import CREATE
from tests.integration.builder.specs import spec
from tests.integration.servicekit.oidc_provider import Provider, oidc_provider
from workflow_builder_api.app import create_app, create_runtime
from workflow_builder_api.core.config import STUDIO_DIST, Settings
from workflow_builder_api.core.db import transaction
from workflow_builder_api.services.auth import create_token

SECRET = "studio-sso-tests-signing-secret-0123456789"
SSO = "Sign in with single sign-on"


@dataclass
class Site:
    """The builder serving Studio, the provider it trusts, and a workflow of each tenant."""

    url: str
    provider: Provider
    titles: dict[str, str]

    def studio(self, path: str = "") -> str:
        return f"{self.url}/studio/{path}"


def built_studio() -> Path:
    """``make test`` builds Studio before pytest; CI must have it, a local run may skip."""
    if (STUDIO_DIST / "index.html").is_file():
        return STUDIO_DIST
    if os.environ.get("AIRLOOM_CI"):
        pytest.fail(f"Studio is not built in {STUDIO_DIST}: `make studio` must run before pytest")
    pytest.skip(reason=f"Studio is not built in {STUDIO_DIST} (run `make studio`)")


def create_workflow(url: str, token: str, name: str) -> str:
    document = spec(name)
    response = httpx.post(
        f"{url}/graphql",
        json={"query": CREATE, "variables": {"input": {"name": name, "spec": document}}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert response.status_code == 200 and not response.json().get("errors"), response.text
    return document["metadata"]["title"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    dist = built_studio()
    chromium_path()  # skip or fail before starting anything when the machine has no chromium
    folder = tmp_path_factory.mktemp("studio-sso")
    with oidc_provider() as provider, fresh_database("sqlite", folder, None) as database:
        provider.register("erin", tenant="acme", groups=["airloom-editor"])
        provider.register("vera", tenant="acme", groups=["airloom-viewer"])
        provider.register("nora", tenant=None, groups=["airloom-editor"])  # no custom:tenant
        provider.register("gus", tenant="acme", groups=[])  # in no Airloom group
        settings = Settings(
            database_url=database,
            dags_folder=str(folder / "dags"),
            studio_dist=dist,
            identity=IdentitySettings(secret=SECRET, **provider.settings()),
        )
        # Nothing listens there: signing in and listing workflows never ask Airflow.
        nowhere = f"http://127.0.0.1:{free_port()}"
        runtime = create_runtime(
            settings, airflow_factory=lambda: RestAirflowClient(nowhere, "admin", "unused")
        )
        with serve_app(create_app(runtime=runtime)) as url:
            # Exactly the URL Terraform registers as the Cognito app client's callback.
            provider.allow_redirect(f"{url}/studio/signin/callback")
            with transaction(runtime.sessions) as session:
                tokens = {
                    tenant: create_token(session, tenant=tenant, role="editor", name="seed")
                    for tenant in ("acme", "globex")
                }
            titles = {
                tenant: create_workflow(url, token, f"{tenant}_sso_churn")
                for tenant, token in tokens.items()
            }
            yield Site(url, provider, titles)
        runtime.sessions.kw["bind"].dispose()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with new_page(browser) as tab:
        yield tab


def single_sign_on(page: Page, site: Site, username: str, path: str = "workflows") -> None:
    """Open Studio at ``path`` signed out, and sign in at the provider as ``username``."""
    page.goto(site.studio(path))
    page.get_by_role("button", name=SSO).click(timeout=FIRST_LOAD_MS)
    provider_page = page.get_by_role("heading", name="Sign in to the identity provider")
    expect(provider_page).to_be_visible(timeout=WAIT_MS)
    assert page.url.startswith(f"{site.provider.issuer}/authorize?")
    page.get_by_label("User name").fill(username)
    page.get_by_role("button", name="Sign in").click()
    # Back in Studio: a fresh load of the app, the code exchange and /auth/me, then onwards
    # (a loaded two-core machine has taken over 20 s for a tab's first load of the app).
    page.wait_for_url(
        lambda url: "/studio/" in url and "/signin/callback" not in url, timeout=FIRST_LOAD_MS
    )


def test_an_editor_signs_in_at_the_provider_and_sees_their_tenants_workflows(
    site: Site, page: Page
) -> None:
    page.goto(site.studio("workflows"))
    expect(page).to_have_url(re.compile(r"/studio/signin$"), timeout=FIRST_LOAD_MS)
    expect(page.get_by_role("button", name=SSO)).to_be_visible()
    # Both ways are offered: the builder also signs people in with a password here.
    expect(page.get_by_label("Password")).to_be_visible()
    assert serious_accessibility_problems(page) == []

    single_sign_on(page, site, "erin")
    expect(page).to_have_url(re.compile(r"/studio/workflows$"))
    expect(page.get_by_role("link", name=site.titles["acme"])).to_be_visible(timeout=WAIT_MS)
    who = page.get_by_label("Signed in as")
    for shown in ("erin", "acme", "editor"):
        expect(who).to_contain_text(shown)
    expect(page.get_by_role("link", name=site.titles["acme"])).to_be_visible()
    expect(page.get_by_role("link", name=site.titles["globex"])).to_have_count(0)
    expect(page.get_by_role("form", name="New workflow")).to_be_visible()

    # Signing out forgets the session: Studio's pages send the person to sign in again.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/studio/signin$"))
    page.goto(site.studio("workflows"))
    expect(page).to_have_url(re.compile(r"/studio/signin$"))


def test_a_viewer_comes_back_where_they_were_going_with_no_edit_controls(
    site: Site, page: Page
) -> None:
    single_sign_on(page, site, "vera", path="workflows?search=churn")
    expect(page).to_have_url(re.compile(r"/studio/workflows\?search=churn$"))
    expect(page.get_by_role("link", name=site.titles["acme"])).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_label("Signed in as")).to_contain_text("viewer")
    expect(page.get_by_role("form", name="New workflow")).to_have_count(0)
    expect(page.get_by_role("button", name="New workflow")).to_have_count(0)


@pytest.mark.parametrize(
    ("username", "refusal"),
    [
        ("nora", "the token carries no tenant (claim 'custom:tenant')"),
        ("gus", "the token carries no Airloom role (claim 'cognito:groups'"),
    ],
    ids=["no-tenant", "no-group"],
)
def test_a_person_without_a_tenant_or_a_group_is_refused_on_the_sign_in_page(
    site: Site, page: Page, username: str, refusal: str
) -> None:
    single_sign_on(page, site, username)
    expect(page).to_have_url(re.compile(r"/studio/signin$"))
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible(timeout=WAIT_MS)
    expect(alert).to_contain_text(f"Airloom refused the identity provider's token: {refusal}")
    expect(alert).to_contain_text("You can try again.")
    expect(page.get_by_role("button", name=SSO)).to_be_enabled()
    assert serious_accessibility_problems(page) == []
    page.goto(site.studio("workflows"))
    expect(page).to_have_url(re.compile(r"/studio/signin$"))


def test_cancelling_at_the_provider_says_so(site: Site, page: Page) -> None:
    page.goto(site.studio("workflows"))
    page.get_by_role("button", name=SSO).click(timeout=FIRST_LOAD_MS)
    page.get_by_role("button", name="Cancel").click(timeout=WAIT_MS)
    expect(page.get_by_role("alert")).to_contain_text(
        "The identity provider did not sign you in: access denied", timeout=FIRST_LOAD_MS
    )
