"""The marketplace lets Studio's page (on the builder's origin) call it, and no other origin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.marketplace.conftest import Marketplace, open_marketplace

STUDIO_ORIGIN = "http://127.0.0.1:8001"


@pytest.fixture(scope="module")
def marketplace(mlflow, tmp_path_factory) -> Iterator[Marketplace]:
    database = tmp_path_factory.mktemp("cors") / "marketplace.db"
    with open_marketplace(
        f"sqlite:///{database}", mlflow.url, cors_origins=[f"{STUDIO_ORIGIN}/"], sync_enabled=False
    ) as app:
        yield app


def test_the_browser_may_send_a_bearer_token_from_studio(marketplace: Marketplace):
    response = marketplace.client.options(
        "/api/v1/endpoints",
        headers={
            "Origin": STUDIO_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == STUDIO_ORIGIN
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_studio_reads_answers_and_refusals(marketplace: Marketplace):
    headers = {"Origin": STUDIO_ORIGIN, **marketplace.key("acme")}
    listed = marketplace.client.get("/api/v1/endpoints", headers=headers)
    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == STUDIO_ORIGIN
    # A refused token's message must reach the page too, to be shown.
    refused = marketplace.client.get(
        "/api/v1/endpoints", headers={"Origin": STUDIO_ORIGIN, "Authorization": "Bearer x.y.z"}
    )
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == STUDIO_ORIGIN


def test_another_origin_is_not_allowed(marketplace: Marketplace):
    response = marketplace.client.options(
        "/api/v1/endpoints",
        headers={"Origin": "http://evil.example.com", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers
    answer = marketplace.client.get(
        "/api/v1/endpoints",
        headers={"Origin": "http://evil.example.com", **marketplace.key("acme")},
    )
    assert "access-control-allow-origin" not in answer.headers
