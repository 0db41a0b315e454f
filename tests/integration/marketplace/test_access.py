"""API keys, tenants and tiers: 401, 403, 404, 409, 422, 429 and 503, each with a clear body."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketplace.catalog.records import ListingRecord, VersionRecord
from marketplace.catalog.store import upsert_listing
from marketplace.models import CheckRun
from tests.harness.servers import free_port
from tests.integration.marketplace.conftest import Marketplace, open_marketplace

SIGNATURE = {"inputs": [{"name": "tenure", "type": "double"}], "outputs": None, "params": None}


@pytest.fixture(scope="module")
def marketplace(tmp_path_factory, monkeypatch_module) -> Iterator[Marketplace]:
    # Airflow is "deployed" at a port where nothing listens: triggering must fail clearly.
    monkeypatch_module.setenv("AIRLOOM_AIRFLOW_API_URL", f"http://127.0.0.1:{free_port()}")
    database = tmp_path_factory.mktemp("access") / "marketplace.db"
    with open_marketplace(
        f"sqlite:///{database}",
        "http://127.0.0.1:9",
        sync_enabled=False,
        rate_limits={"free": "5/minute", "pro": "1000/minute", "enterprise": "1000/minute"},
    ) as app:
        with app.app.state.session_factory() as session:
            for tenant, name in (("globex", "globex_churn"), ("initech", "initech_churn")):
                upsert_listing(
                    session,
                    ListingRecord(
                        name=name,
                        tenant=tenant,
                        versions=[VersionRecord(version=1, signature=SIGNATURE)],
                    ),
                )
            session.commit()
        yield app


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_requests_without_a_valid_key_get_401(marketplace) -> None:
    client = marketplace.client

    missing = client.get("/api/v1/models")
    wrong = client.get("/api/v1/models", headers={"X-API-Key": "alm_not-a-real-key-at-all"})

    assert missing.status_code == wrong.status_code == 401
    assert missing.json()["code"] == "unauthorized"
    assert "X-API-Key" in missing.json()["detail"]
    assert wrong.json()["detail"] == "the API key is unknown or has been revoked"
    assert missing.headers["WWW-Authenticate"] == "ApiKey"


def test_a_bearer_token_works_like_the_header_and_a_revoked_key_stops_working(marketplace):
    from marketplace.access import revoke_key

    key = marketplace.key("globex")["X-API-Key"]
    bearer = {"Authorization": f"Bearer {key}"}
    assert marketplace.client.get("/api/v1/me", headers=bearer).json()["tenant"] == "globex"

    with marketplace.app.state.session_factory() as session:
        assert revoke_key(session, key[:12]) == 1
        session.commit()

    assert marketplace.client.get("/api/v1/me", headers=bearer).status_code == 401


def test_keys_are_stored_only_as_sha256(marketplace) -> None:
    from sqlalchemy import select

    from marketplace.models import ApiKey
    from servicekit.credentials import secret_hash

    key = marketplace.key("globex")["X-API-Key"]
    with marketplace.app.state.session_factory() as session:
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == key[:12]))
    assert row.key_hash == secret_hash(key) and key not in (row.key_hash, row.name)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/models/initech_churn", None),
        ("GET", "/models/initech_churn/versions/1", None),
        ("GET", "/models/initech_churn/card", None),
        ("GET", "/models/initech_churn/card.md", None),
        ("GET", "/models/initech_churn/versions/1/validation", None),
        ("POST", "/models/initech_churn/versions/1/validate", {}),
        ("POST", "/models/initech_churn/versions/1/benchmark", {}),
        (
            "POST",
            "/compare",
            {
                "versions": [
                    {"name": "globex_churn", "version": 1},
                    {"name": "initech_churn", "version": 1},
                ]
            },
        ),
    ],
)
def test_another_tenants_model_looks_exactly_like_a_missing_one(
    marketplace, method, path, body
) -> None:
    headers = marketplace.key("globex", "enterprise")

    response = marketplace.client.request(method, f"/api/v1{path}", json=body, headers=headers)

    assert response.status_code == 404
    assert response.json() == {"detail": "model 'initech_churn' not found", "code": "not_found"}


def test_search_never_shows_another_tenants_models(marketplace) -> None:
    body = marketplace.client.get(
        "/api/v1/models", params={"q": "churn"}, headers=marketplace.key("globex")
    ).json()

    assert [item["name"] for item in body["items"]] == ["globex_churn"]


def test_the_free_tier_may_not_start_benchmarks(marketplace) -> None:
    response = marketplace.client.post(
        "/api/v1/models/globex_churn/versions/1/benchmark",
        headers=marketplace.key("globex", "free"),
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "starting a benchmark needs the pro or enterprise tier; this key is free",
        "code": "forbidden",
    }


def test_the_free_tier_is_rate_limited_with_retry_after(marketplace) -> None:
    headers = marketplace.key("globex", "free")

    statuses = [marketplace.client.get("/api/v1/me", headers=headers).status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]
    limited = marketplace.client.get("/api/v1/me", headers=headers)
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert "5 per 1 minute" in limited.json()["detail"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # Another key of the same tenant has its own budget.
    assert marketplace.client.get(
        "/api/v1/me", headers=marketplace.key("globex", "free")
    ).is_success


def test_invalid_validation_options_answer_422_before_anything_starts(marketplace) -> None:
    response = marketplace.client.post(
        "/api/v1/models/globex_churn/versions/1/validate",
        json={"thresholds": {"roc_auc": {"goal": "up"}}},
        headers=marketplace.key("globex"),
    )

    assert response.status_code == 422
    assert "thresholds.roc_auc.goal" in response.json()["detail"]


def test_starting_a_check_while_airflow_is_unreachable_answers_503(marketplace) -> None:
    response = marketplace.client.post(
        "/api/v1/models/globex_churn/versions/1/validate", headers=marketplace.key("globex")
    )

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert "Airflow cannot be reached to start model_validation" in response.json()["detail"]


def test_a_second_validation_while_one_is_in_flight_answers_409(marketplace) -> None:
    # A run recorded as running, while Airflow cannot be asked: the last known state holds.
    with marketplace.app.state.session_factory() as session:
        session.add(
            CheckRun(
                kind="validation",
                model_name="globex_churn",
                version=1,
                tenant="globex",
                dag_id="model_validation",
                run_id="manual__first",
                state="running",
                conf={},
            )
        )
        session.commit()
    headers = marketplace.key("globex")

    response = marketplace.client.post(
        "/api/v1/models/globex_churn/versions/1/validate", headers=headers
    )
    status = marketplace.client.get(
        "/api/v1/models/globex_churn/versions/1/validation", headers=headers
    ).json()

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "already running (run manual__first)" in response.json()["detail"]
    assert status["status"] == "running" and status["run"]["run_id"] == "manual__first"
