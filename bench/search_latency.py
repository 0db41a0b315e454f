"""Marketplace search with 1,000 listings: a ranked text + filter query against listing every
listing unfiltered (the baseline a client without search would pay), both through the REST API.

    .venv/bin/python bench/search_latency.py

Listings are written with the catalog's own upsert (what the MLflow sync calls) into a fresh
SQLite database; no MLflow server is needed. Prints the median of each and their ratio.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from marketplace.access import create_key
from marketplace.catalog.records import ListingRecord, VersionRecord
from marketplace.catalog.store import upsert_listing
from marketplace.core.config import Settings
from marketplace.main import create_app

LISTINGS = 1_000
ROUNDS = 30
TENANT = "bench"
SUBJECTS = ["churn", "fraud", "demand", "basket", "credit", "sentiment", "defect", "lead"]
KINDS = ["classifier", "forecast", "ranker", "scorer", "detector", "model"]
TASKS = ["classification", "regression", "ranking", "forecasting"]
INDUSTRIES = ["telecom", "retail", "banking", "insurance", "manufacturing"]
FRAMEWORKS = ["sklearn", "xgboost", "pytorch", "lightgbm"]
LICENCES = ["MIT", "Apache-2.0", "proprietary"]
SIGNATURE = {
    "inputs": [{"name": f"f{i}", "type": "double", "required": True} for i in range(8)],
    "outputs": [{"type": "long", "required": True}],
    "params": None,
}


def listing(number: int, rng: random.Random) -> ListingRecord:
    subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
    other = rng.choice(SUBJECTS)
    metrics = {"roc_auc": round(rng.uniform(0.55, 0.98), 3), "accuracy": rng.uniform(0.5, 0.99)}
    return ListingRecord(
        name=f"{subject}_{kind}_{number:04d}",
        tenant=TENANT,
        description=f"A {kind} for {subject} trained on {other} history, {number} features.",
        task=rng.choice(TASKS),
        industry=rng.choice(INDUSTRIES),
        licence=rng.choice(LICENCES),
        owner=f"team-{number % 17}",
        tags={"team": f"team-{number % 17}", "stage": rng.choice(["beta", "ga"])},
        updated_at=1_700_000_000_000 + number,
        versions=[
            VersionRecord(
                version=version,
                framework=rng.choice(FRAMEWORKS),
                flavors=["python_function"],
                metrics=metrics,
                signature=SIGNATURE,
                lineage={"run_id": f"{number:032x}", "datasets": []},
            )
            for version in (1, 2)
        ],
    )


def timed(call) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="airloom-bench-search-"))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'marketplace.db'}",
        mlflow_tracking_uri="http://127.0.0.1:9",
        sync_enabled=False,
        log_level="WARNING",
        rate_limits={"free": "1/minute", "pro": "1/minute", "enterprise": "1000000/minute"},
    )
    app = create_app(settings)
    with TestClient(app) as client:
        rng = random.Random(7)
        start = time.perf_counter()
        with app.state.session_factory() as session:
            for number in range(LISTINGS):
                upsert_listing(session, listing(number, rng))
            headers = {"X-API-Key": create_key(session, TENANT, "enterprise").key}
            session.commit()
        print(f"inserted {LISTINGS} listings in {time.perf_counter() - start:.1f} s")

        search = {"q": "churn classifier", "task": "classification", "metric": "roc_auc>0.7"}

        def run_search() -> None:
            response = client.get("/api/v1/models", params=search, headers=headers)
            response.raise_for_status()

        def list_everything() -> None:
            page, seen = 1, 0
            while True:
                response = client.get(
                    "/api/v1/models", params={"page": page, "page_size": 500}, headers=headers
                )
                response.raise_for_status()
                body = response.json()
                seen += len(body["items"])
                if seen >= body["total"]:
                    break
                page += 1
            assert seen == LISTINGS, seen

        found = client.get("/api/v1/models", params=search, headers=headers).json()
        print(f"search {search} -> {found['total']} matches, top: {found['items'][0]['name']}")
        run_search(), list_everything()  # warm caches and connections
        searches = [timed(run_search) for _ in range(ROUNDS)]
        listings = [timed(list_everything) for _ in range(ROUNDS)]
    search_ms = statistics.median(searches) * 1000
    listing_ms = statistics.median(listings) * 1000
    print(f"search (text + filters, top 20 with facets): median {search_ms:.1f} ms")
    print(f"baseline: list all {LISTINGS} unfiltered:     median {listing_ms:.1f} ms")
    print(f"ratio baseline / search: {listing_ms / search_ms:.1f}x")


if __name__ == "__main__":
    main()
