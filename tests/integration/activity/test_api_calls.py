"""A real marketplace app sends one ``api_call`` event per request with a key: the route
template (never the raw path), method, status, the key's tier, and 429s as rate limited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from airloom.activity import producer as activity
from airloom.activity.events import ApiCallEvent
from tests.harness.servers import RunningServer
from tests.integration.activity.reading import new_tenant, read_events
from tests.integration.marketplace.conftest import Marketplace, open_marketplace


@pytest.fixture(scope="module")
def marketplace(
    broker: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Marketplace]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(activity.BOOTSTRAP_ENV, broker.url)
        database: Path = tmp_path_factory.mktemp("activity") / "marketplace.db"
        with open_marketplace(
            f"sqlite:///{database}",
            "http://127.0.0.1:9",  # no MLflow: the catalog is not synced here
            sync_enabled=False,
            rate_limits={"free": "3/minute", "pro": "1000/minute", "enterprise": "1000/minute"},
        ) as app:
            yield app


def test_each_keyed_request_is_one_api_call_with_its_route_template_and_tier(
    marketplace: Marketplace, broker: RunningServer
) -> None:
    acme, globex = new_tenant("acme"), new_tenant("globex")
    acme_key, globex_key = marketplace.key(acme, "pro"), marketplace.key(globex, "enterprise")
    client = marketplace.client
    assert client.get("/api/v1/models", headers=acme_key).status_code == 200
    assert client.get("/api/v1/models/secret_plan_x", headers=acme_key).status_code == 404
    assert client.get("/api/v1/models", headers=globex_key).status_code == 200
    assert client.get("/api/v1/models").status_code == 401  # no key: nobody to attribute it to

    calls = read_events(broker.url, lambda e: e.tenant == acme, count=2)
    assert all(isinstance(c, ApiCallEvent) for c in calls)
    assert [(c.route, c.method, c.status, c.tier, c.rate_limited) for c in calls] == [
        ("/api/v1/models", "GET", 200, "pro", False),
        ("/api/v1/models/{name}", "GET", 404, "pro", False),
    ]
    assert {(c.service, c.source) for c in calls} == {("marketplace", "marketplace")}
    assert all("secret_plan_x" not in c.to_json().decode() for c in calls)
    # globex's one call is globex's alone, and acme's events never name globex.
    [theirs] = read_events(broker.url, lambda e: e.tenant == globex, count=1)
    assert (theirs.tier, theirs.status) == ("enterprise", 200)


def test_a_rate_limited_request_is_recorded_as_a_429_of_its_tier(
    marketplace: Marketplace, broker: RunningServer
) -> None:
    tenant = new_tenant("free")
    key = marketplace.key(tenant, "free")
    statuses = [marketplace.client.get("/api/v1/models", headers=key).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]

    calls = read_events(broker.url, lambda e: e.tenant == tenant, count=4)
    assert [(c.status, c.rate_limited, c.tier) for c in calls] == [
        (200, False, "free"),
        (200, False, "free"),
        (200, False, "free"),
        (429, True, "free"),
    ]
