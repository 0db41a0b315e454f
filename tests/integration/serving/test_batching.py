"""Concurrent requests are predicted together, and each caller still gets its own answer."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.integration.serving.support import expected


@pytest.fixture(scope="module")
def endpoint(http, linear_model) -> str:
    response = http.put("/endpoints/batched", json={"model_uri": f"models:/{linear_model}/2"})
    assert response.status_code == 201, response.text
    return "/endpoints/batched"


async def _burst(url: str, payloads: list[dict]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(payloads))
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        return await asyncio.gather(
            *(client.post("/endpoints/batched/invocations", json=p) for p in payloads)
        )


def _payload(index: int) -> dict:
    # Formats and row counts vary, so requests of several shapes share batches.
    rows = [[float(index), float(index % 5)]] * (1 + index % 3)
    if index % 2:
        return {"dataframe_split": {"columns": ["tenure", "spend"], "data": rows}}
    return {"dataframe_records": [{"tenure": t, "spend": s} for t, s in rows]}


def test_concurrent_requests_share_predictions_and_each_gets_its_own_rows(
    serving, http, endpoint
) -> None:
    before = http.get(endpoint).json()
    payloads = [_payload(index) for index in range(96)]

    responses = asyncio.run(_burst(serving.url, payloads))

    for index, response in enumerate(responses):
        assert response.status_code == 200, response.text
        rows = 1 + index % 3
        want = [expected(3.0, float(index), float(index % 5))] * rows
        assert response.json()["predictions"] == pytest.approx(want), index
    after = http.get(endpoint).json()
    requests, batches = after["requests"] - before["requests"], after["batches"] - before["batches"]
    assert requests == 96
    assert batches < requests  # several requests were predicted in one call


def test_a_request_the_model_cannot_score_fails_alone_in_a_burst(serving, http, endpoint) -> None:
    payloads = [_payload(index) for index in range(40)]
    # Passes the signature check (nulls are allowed through) but the model refuses NaN.
    payloads[17] = {"dataframe_split": {"columns": ["tenure", "spend"], "data": [[None, 1.0]]}}

    responses = asyncio.run(_burst(serving.url, payloads))

    assert responses[17].status_code == 400
    assert "NaN" in responses[17].json()["message"]
    for index, response in enumerate(responses):
        if index != 17:
            assert response.status_code == 200, response.text
            assert response.json()["predictions"][0] == pytest.approx(
                expected(3.0, float(index), float(index % 5))
            )
