"""What the marketplace refuses and how: bounded pages, JSON nested too deeply and bodies too
large refused before any route reads them, one error shape (documented and answered), no huge
echo; and what it answers: timestamps with their time zone, catalog figures of the caller's
tenant only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from airloom import model_tags
from marketplace.schemas import ErrorBody
from tests.integration.marketplace.airflow_runs import DagTestAirflow
from tests.integration.marketplace.conftest import Marketplace, open_marketplace
from tests.integration.marketplace.models import register_model

JSON = {"content-type": "application/json"}
TOO_DEEP = {
    "detail": "the JSON body nests 5001 levels deep; the limit is 64 levels of arrays and objects",
    "code": "invalid_input",
}


@pytest.fixture(scope="module")
def market(mlflow, tmp_path_factory) -> Iterator[Marketplace]:
    database = tmp_path_factory.mktemp("bounds") / "marketplace.db"
    with open_marketplace(f"sqlite:///{database}", mlflow.url, sync_enabled=False) as app:
        app.app.state.airflow = lambda: DagTestAirflow()  # records the runs it is asked for
        yield app


@pytest.fixture(scope="module")
def models(mlflow, market) -> dict[str, str]:
    """Two models of tenant bounds-a, one of bounds-b; the catalog synced."""
    owners = {
        "bounds-a-churn": "bounds-a",
        "bounds-a-fraud": "bounds-a",
        "bounds-b-churn": "bounds-b",
    }
    for name, tenant in owners.items():
        register_model(mlflow.url, name, model_tags={model_tags.TENANT: tenant})
    market.sync()
    return owners


def test_pages_are_bounded_with_a_422_naming_the_parameter(market) -> None:
    headers = market.key("bounds-a")
    refusals = [
        ({"page": 9223372036854775807}, "query.page", "less than or equal to 10000"),
        ({"page": 0}, "query.page", "greater than or equal to 1"),
        ({"page_size": 501}, "query.page_size", "less than or equal to 500"),
    ]
    for params, field, words in refusals:
        response = market.client.get("/api/v1/models", params=params, headers=headers)

        assert response.status_code == 422, response.text
        assert response.json() == {
            "detail": [{"field": field, "message": f"Input should be {words}"}],
            "code": "invalid_input",
        }
    last = market.client.get("/api/v1/models", params={"page": 10_000}, headers=headers)
    assert (last.status_code, last.json()["items"]) == (200, [])


def test_a_one_value_parameter_sent_twice_is_a_422_and_filters_repeat(market, models) -> None:
    headers = market.key("bounds-a")

    twice = market.client.get("/api/v1/models?q=churn&q=fraud", headers=headers)
    repeated = market.client.get("/api/v1/models?framework=a&framework=b", headers=headers)

    assert (twice.status_code, twice.json()) == (
        422,
        {"detail": "query parameter 'q' takes one value, not several", "code": "invalid_input"},
    )
    assert repeated.status_code == 200, repeated.text


def test_json_nested_too_deeply_is_a_422_before_any_route_reads_it(market) -> None:
    headers = market.key("bounds-a") | JSON
    body = b'{"dataframe_split": ' + b"[" * 5000 + b"]" * 5000 + b"}"

    for path in ("/api/v1/endpoints/any/invocations", "/api/v1/compare"):
        response = market.client.post(path, content=body, headers=headers)

        assert (response.status_code, response.json()) == (422, TOO_DEEP), path


def test_a_body_past_the_limit_is_a_413_and_scoring_requests_may_be_larger(market) -> None:
    headers = market.key("bounds-a")
    two_megabytes = "x" * (2 * 1024 * 1024)

    compare = market.client.post(
        "/api/v1/compare",
        json={"versions": [{"name": two_megabytes, "version": 1}]},
        headers=headers,
    )
    scoring = market.client.post(
        "/api/v1/endpoints/any/invocations", json={"inputs": [two_megabytes]}, headers=headers
    )

    assert compare.status_code == 413
    assert compare.json() == {
        "detail": "the request body is larger than the limit of 1,048,576 bytes",
        "code": "payload_too_large",
    }
    # A scoring batch of that size gets past the limit to the route: no such endpoint here.
    assert (scoring.status_code, scoring.json()["code"]) == (404, "not_found")


def test_every_documented_error_has_the_error_shape_the_answers_have(market) -> None:
    document = market.client.get("/openapi.json").json()
    error_shapes = {"#/components/schemas/ErrorBody"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status[0] in "45" and path.startswith("/api/"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema["$ref"] in error_shapes, (method, path, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]

    refused = market.client.get("/api/v1/models", params={"page": 0}, headers=market.key("x"))
    assert ErrorBody.model_validate(refused.json()).code == "invalid_input"


def test_a_huge_value_is_never_echoed_back(market) -> None:
    headers = market.key("bounds-a", "pro")
    huge = "x" * 200_000
    version = "/api/v1/models/m/versions/1"
    attempts = [
        ("POST", f"{version}/deploy", {"endpoint": huge}),
        ("POST", f"{version}/validate", {"thresholds": {huge: {"goal": "maximize"}}}),
        ("POST", "/api/v1/compare", {"versions": [{"name": huge, "version": 1}] * 2}),
        ("GET", f"/api/v1/models?metric={'m' * 5000}%3E1", None),
        ("GET", f"/api/v1/models?sort={'s' * 5000}", None),
        ("GET", f"/api/v1/models/{'n' * 5000}", None),
    ]
    for method, path, body in attempts:
        response = market.client.request(method, path, json=body, headers=headers)

        assert response.status_code == 422, (path[:60], response.text[:300])
        assert len(response.content) < 2000, (path[:60], len(response.content))


def test_timestamps_carry_their_time_zone(market, models) -> None:
    headers = market.key("bounds-a", "pro")
    version = "/api/v1/models/bounds-a-churn/versions/1"

    started = market.client.post(f"{version}/validate", headers=headers)
    status = market.client.get(f"{version}/validation", headers=headers)  # read back from the db
    listing = market.client.get("/api/v1/models/bounds-a-churn", headers=headers)

    assert started.status_code == 202, started.text
    times = [
        started.json()["created_at"],
        status.json()["run"]["created_at"],
        listing.json()["updated_at"],
        listing.json()["versions"][0]["created_at"],
    ]
    assert all(datetime.fromisoformat(value).tzinfo is not None for value in times), times


def test_the_catalog_status_counts_only_the_callers_models(market, models) -> None:
    def status(tenant: str) -> dict:
        response = market.client.get("/api/v1/catalog/status", headers=market.key(tenant))
        assert response.status_code == 200, response.text
        return response.json()

    a, b, nobody = status("bounds-a"), status("bounds-b"), status("bounds-nobody")

    assert (a["listed"], b["listed"], nobody["listed"]) == (2, 1, 0)
    assert (a["changed"], b["changed"], nobody["changed"], nobody["removed"]) == (2, 1, 0, 0)
    assert a["last_success"] is not None and a["last_error"] is None
