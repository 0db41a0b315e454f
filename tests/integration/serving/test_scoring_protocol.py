"""The serving process for real: versions loaded from MLflow, MLflow's four JSON formats (and
CSV), payloads checked against the signature, endpoints swapped and removed."""

from __future__ import annotations

import pytest

from tests.integration.serving.support import expected

ROWS = [[1.0, 2.0], [10.0, 3.0]]
PAYLOADS = {
    "dataframe_split": {"dataframe_split": {"columns": ["tenure", "spend"], "data": ROWS}},
    "dataframe_records": {"dataframe_records": [{"tenure": t, "spend": s} for t, s in ROWS]},
    "instances": {"instances": [{"tenure": t, "spend": s} for t, s in ROWS]},
    "inputs": {"inputs": {"tenure": [r[0] for r in ROWS], "spend": [r[1] for r in ROWS]}},
}


@pytest.fixture(scope="module")
def endpoint(http, linear_model) -> str:
    response = http.put("/endpoints/scoring", json={"model_uri": f"models:/{linear_model}/1"})
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "ready"
    return "/endpoints/scoring/invocations"


@pytest.mark.parametrize("payload_format", sorted(PAYLOADS))
def test_each_scoring_format_predicts_what_the_version_computes(http, endpoint, payload_format):
    response = http.post(endpoint, json=PAYLOADS[payload_format])

    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == pytest.approx([expected(2.0, t, s) for t, s in ROWS])


def test_csv_is_served_as_mlflow_serves_it(http, endpoint) -> None:
    response = http.post(
        endpoint, content="tenure,spend\n4,1\n", headers={"content-type": "text/csv"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == pytest.approx([expected(2.0, 4, 1)])


@pytest.mark.parametrize(
    ("payload", "status", "names"),
    [
        ({"dataframe_split": {"columns": ["tenure"], "data": [[1.0]]}}, 422, "'spend'"),
        ({"dataframe_records": [{"tenure": 1.0}]}, 422, "'spend'"),
        ({"inputs": {"tenure": [1.0], "spend": ["a lot"]}}, 422, "'spend'"),
        ({"instances": [{"tenure": "x", "spend": 1.0}]}, 422, "'tenure'"),
        ({"rows": [[1.0, 2.0]]}, 400, "dataframe_split"),
    ],
)
def test_a_payload_that_breaks_the_signature_is_refused_naming_the_column(
    http, endpoint, payload, status, names
) -> None:
    response = http.post(endpoint, json=payload)

    assert response.status_code == status, response.text
    assert names in response.json()["message"]


def test_a_body_that_is_not_json_is_a_400(http, endpoint) -> None:
    response = http.post(
        endpoint, content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]


def test_replacing_the_version_serves_the_new_one_and_deleting_ends_the_endpoint(
    http, linear_model
) -> None:
    path = "/endpoints/swap"
    payload = PAYLOADS["dataframe_split"]
    assert http.put(path, json={"model_uri": f"models:/{linear_model}/1"}).status_code == 201
    first = http.post(f"{path}/invocations", json=payload).json()["predictions"]

    replaced = http.put(path, json={"model_uri": f"models:/{linear_model}/2"})
    second = http.post(f"{path}/invocations", json=payload).json()["predictions"]

    assert replaced.status_code == 200 and replaced.json()["version"] == "2"
    assert first == pytest.approx([expected(2.0, t, s) for t, s in ROWS])
    assert second == pytest.approx([expected(3.0, t, s) for t, s in ROWS])
    assert http.delete(path).status_code == 204
    assert http.post(f"{path}/invocations", json=payload).status_code == 404
    assert http.get(path).status_code == 404
    assert http.delete(path).status_code == 404


def test_a_version_that_cannot_be_loaded_leaves_the_endpoint_serving_what_it_served(
    http, linear_model
) -> None:
    path = "/endpoints/keep"
    assert http.put(path, json={"model_uri": f"models:/{linear_model}/1"}).status_code == 201

    refused = http.put(path, json={"model_uri": f"models:/{linear_model}/99"})

    assert refused.status_code == 422
    assert f"models:/{linear_model}/99" in refused.json()["message"]
    assert http.get(path).json()["model_uri"] == f"models:/{linear_model}/1"
    answer = http.post(f"{path}/invocations", json=PAYLOADS["inputs"])
    assert answer.json()["predictions"] == pytest.approx([expected(2.0, t, s) for t, s in ROWS])
