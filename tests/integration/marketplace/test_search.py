"""Search: relevance ranking, filters, metric filters, sort, pages and facet counts.

Listings are written with the catalog's own upsert (what the MLflow sync calls), so the search
behaviour is tested on many listings quickly; test_catalog.py covers the MLflow side.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from marketplace.catalog.records import ListingRecord, VersionRecord
from marketplace.catalog.store import upsert_listing
from tests.integration.marketplace.conftest import (
    Marketplace,
    fresh_postgres_database,
    open_marketplace,
)

TENANT = "acme-search"


def _listing(name: str, description: str, task: str, framework: str, **metrics: float):
    return ListingRecord(
        name=name,
        tenant=TENANT,
        description=description,
        task=task,
        industry="telecom" if "churn" in name else "retail",
        licence="MIT" if framework == "sklearn" else "Apache-2.0",
        owner="Retention analytics" if "churn" in name else None,
        updated_at=1_700_000_000_000 + len(name),
        versions=[VersionRecord(version=1, framework=framework, metrics=metrics)],
    )


LISTINGS = [
    _listing("customer_churn", "Gradient boosting on subscriber history.", "classification",
             "xgboost", roc_auc=0.91),
    _listing("churn_baseline", "Logistic regression baseline.", "classification",
             "sklearn", roc_auc=0.78),
    _listing("retention_uplift", "Estimates which customers churn less after an offer.",
             "uplift", "sklearn", qini=0.31),
    _listing("demand_forecast", "Daily demand per store.", "regression", "sklearn",
             rmse=12.5),
    _listing("basket_recommender", "Next product to recommend.", "recommendation",
             "pytorch", ndcg=0.44),
]  # fmt: skip


DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("AIRLOOM_TEST_POSTGRES_URL") else [])


@pytest.fixture(scope="module", params=DATABASES)
def marketplace(request, tmp_path_factory) -> Iterator[Marketplace]:
    """Search needs no MLflow: the sync is off, listings come from the catalog's upsert."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'marketplace.db'}"
    else:
        url = fresh_postgres_database(os.environ["AIRLOOM_TEST_POSTGRES_URL"])
    with open_marketplace(url, "http://127.0.0.1:9", sync_enabled=False) as app:
        yield app


@pytest.fixture(scope="module")
def headers(marketplace) -> dict[str, str]:
    with marketplace.app.state.session_factory() as session:
        for record in LISTINGS:
            upsert_listing(session, record)
        other = _listing("churn_other_tenant", "Another tenant's churn model.", "classification",
                         "sklearn", roc_auc=0.99)  # fmt: skip
        other.tenant = "someone-else"
        upsert_listing(session, other)
        session.commit()
    return marketplace.key(TENANT)


def _search(marketplace, headers, **params):
    response = marketplace.client.get("/api/v1/models", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _names(body) -> list[str]:
    return [item["name"] for item in body["items"]]


def test_a_name_match_ranks_above_a_description_only_match(marketplace, headers) -> None:
    body = _search(marketplace, headers, q="churn")

    names = _names(body)
    assert set(names) == {"customer_churn", "churn_baseline", "retention_uplift"}
    assert names.index("retention_uplift") == 2  # "churn" only in its description
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True) and scores[1] > scores[2]


def test_words_match_as_prefixes_and_all_words_must_match(marketplace, headers) -> None:
    assert _names(_search(marketplace, headers, q="recommend")) == ["basket_recommender"]
    assert _names(_search(marketplace, headers, q="churn baseline")) == ["churn_baseline"]
    assert _names(_search(marketplace, headers, q='"churn*" -')) == _names(
        _search(marketplace, headers, q="churn")
    )  # query syntax is not interpreted


def test_filters_combine_with_text_and_facets_count_the_current_filter(
    marketplace, headers
) -> None:
    body = _search(marketplace, headers, q="churn", framework="sklearn")

    assert set(_names(body)) == {"churn_baseline", "retention_uplift"}
    assert body["total"] == 2
    assert body["facets"]["task"] == {"classification": 1, "uplift": 1}
    assert body["facets"]["framework"] == {"sklearn": 2}
    assert body["facets"]["licence"] == {"MIT": 2}

    everything = _search(marketplace, headers)
    assert everything["total"] == 5  # the other tenant's listing is never counted
    assert everything["facets"]["industry"] == {"telecom": 2, "retail": 3}
    assert everything["facets"]["owner"] == {"Retention analytics": 2}

    owned = _search(marketplace, headers, owner="Retention analytics")
    assert set(_names(owned)) == {"customer_churn", "churn_baseline"}


def test_metric_filters_and_metric_sort(marketplace, headers) -> None:
    above = _search(marketplace, headers, metric="roc_auc>0.8")
    assert _names(above) == ["customer_churn"]

    below = _search(marketplace, headers, metric=["roc_auc<=0.8", "roc_auc>0.5"])
    assert _names(below) == ["churn_baseline"]

    ranked = _search(marketplace, headers, sort="-metric:roc_auc", page_size=3)
    assert _names(ranked)[:2] == ["customer_churn", "churn_baseline"]


def test_sort_and_pages(marketplace, headers) -> None:
    first = _search(marketplace, headers, sort="name", page=1, page_size=2)
    second = _search(marketplace, headers, sort="name", page=2, page_size=2)

    assert _names(first) == ["basket_recommender", "churn_baseline"]
    assert _names(second) == ["customer_churn", "demand_forecast"]
    assert first["total"] == second["total"] == 5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"metric": "roc_auc>>1"}, "must look like 'roc_auc>0.8'"),
        ({"sort": "popularity"}, "is not one of relevance"),
        ({"page_size": 0}, "greater than or equal to 1"),
    ],
)
def test_bad_search_parameters_answer_422_with_what_is_wrong(
    marketplace, headers, params, message
) -> None:
    response = marketplace.client.get("/api/v1/models", params=params, headers=headers)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert message in str(response.json()["detail"])
