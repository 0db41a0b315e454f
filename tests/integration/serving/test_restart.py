"""Endpoints survive a restart of the serving process (`airloom down` / `up`)."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.integration.serving.support import expected, register_linear, serving_server


def test_a_restarted_serving_process_serves_its_endpoints_again(mlflow, tmp_path) -> None:
    version = register_linear(mlflow.url, "serving-restart", slope=5.0)
    payload = {"dataframe_split": {"columns": ["tenure", "spend"], "data": [[2.0, 1.0]]}}
    with serving_server(tmp_path, mlflow.url) as first:
        created = httpx.put(
            f"{first.url}/endpoints/durable",
            json={"model_uri": f"models:/serving-restart/{version}", "config": {"tenant": "t1"}},
            timeout=120,
        )
        assert created.status_code == 201, created.text

    with serving_server(tmp_path, mlflow.url) as second:
        deadline = time.monotonic() + 60
        while (state := httpx.get(f"{second.url}/endpoints/durable").json())["status"] != "ready":
            assert time.monotonic() < deadline, state
            time.sleep(0.3)
        answer = httpx.post(f"{second.url}/endpoints/durable/invocations", json=payload)

    assert state["model_uri"] == f"models:/serving-restart/{version}"
    assert state["config"] == {"tenant": "t1"}
    assert answer.json()["predictions"] == pytest.approx([expected(5.0, 2.0, 1.0)])
