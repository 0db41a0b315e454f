"""The serving process refuses bodies nested too deeply or past its size limit, in MLflow's
error shape, before any parser sees them; large scoring batches still score."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.serving.support import expected, serving_server


@pytest.fixture(scope="module")
def endpoint(http, linear_model) -> str:
    response = http.put("/endpoints/limits", json={"model_uri": f"models:/{linear_model}/1"})
    assert response.status_code == 201, response.text
    return "/endpoints/limits/invocations"


def test_a_large_batch_scores(http, endpoint) -> None:
    rows = [[float(i % 50), float(i % 7)] for i in range(100_000)]  # about 2 MB of JSON

    response = http.post(
        endpoint, json={"dataframe_split": {"columns": ["tenure", "spend"], "data": rows}}
    )

    assert response.status_code == 200, response.text[:500]
    predictions = response.json()["predictions"]
    assert len(predictions) == len(rows)
    assert predictions[-1] == pytest.approx(expected(2.0, *rows[-1]))


def test_json_nested_5000_levels_deep_is_a_422(http, endpoint) -> None:
    body = b'{"inputs": ' + b"[" * 5000 + b"]" * 5000 + b"}"

    response = http.post(endpoint, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert response.json() == {
        "error_code": "BAD_REQUEST",
        "message": "the JSON body nests 5001 levels deep; the limit is 64 levels of arrays and "
        "objects",
    }


def test_a_body_past_the_limit_is_a_413(mlflow, tmp_path) -> None:
    with (
        serving_server(tmp_path, mlflow.url, max_body_bytes="4096") as small,
        httpx.Client(base_url=small.url) as http,
    ):
        response = http.post(
            "/endpoints/any/invocations",
            json={"inputs": {"tenure": [1.0] * 2000, "spend": [1.0] * 2000}},
        )

    assert response.status_code == 413
    assert response.json() == {
        "error_code": "BAD_REQUEST",
        "message": "the request body is larger than the limit of 4,096 bytes",
    }
