"""Studio on the local stack `airloom up` started: the builder serves the app and its config,
a person signs in and calls the marketplace from Studio's origin, and Airflow's plugins API
lists the navigation link to Studio."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.harness.stack import LocalStack
from workflow_builder_api.studio import with_base

pytestmark = pytest.mark.e2e


def test_studio_on_the_stack(stack: LocalStack, studio_dist: Path):
    builder = stack.url("AIRLOOM_BUILDER_PORT")
    marketplace = stack.url("AIRLOOM_MARKETPLACE_PORT")
    studio = f"{builder}/studio/"

    page = httpx.get(f"{studio}workflows", timeout=30)
    assert page.status_code == 200
    # The build, told where Studio is mounted (no gateway prefix on the local stack).
    assert page.text == with_base((studio_dist / "index.html").read_text(), "/studio/")
    assert httpx.get(f"{studio}config.json", timeout=30).json() == {
        "graphqlUrl": "/graphql",
        "graphqlWsUrl": "/graphql",
        "marketplaceUrl": marketplace,
        "airflowUrl": stack.airflow_url,
        "insightsUrl": stack.url("AIRLOOM_INSIGHTS_PORT"),
        "signIn": {"password": True, "oidc": None},
    }

    login = stack.studio_login()
    signed_in = httpx.post(
        f"{builder}/auth/login",
        json={"username": login.username, "password": login.password},
        timeout=30,
    )
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    endpoints = httpx.get(
        f"{marketplace}/api/v1/endpoints",
        headers={"Origin": builder, "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert endpoints.status_code == 200, endpoints.text
    assert endpoints.headers["access-control-allow-origin"] == builder

    plugins = stack.airflow().request("GET", "/plugins")
    [studio_plugin] = [p for p in plugins["plugins"] if p["name"] == "airloom_studio"]
    [view] = studio_plugin["external_views"]
    assert view["name"] == "Airloom Studio"
    assert view["href"] == studio
    assert view["nav_top_level"] is True
