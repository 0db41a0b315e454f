"""The MLflow hook reads its server from the Airflow connection and leaves mlflow as it was."""

from __future__ import annotations

import json
import os

import mlflow
import pytest

from airloom.hooks.mlflow import MlflowHook


def connection(monkeypatch: pytest.MonkeyPatch, conn_id: str, **fields: object) -> None:
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({"conn_type": "http", **fields})
    )


@pytest.mark.parametrize(
    ("fields", "uri"),
    [
        ({"host": "http://127.0.0.1:5000/"}, "http://127.0.0.1:5000"),
        (
            {"host": "mlflow.internal", "port": 443, "schema": "https"},
            "https://mlflow.internal:443",
        ),
        ({"host": "https://alb.example.com"}, "https://alb.example.com"),
    ],
)
def test_the_tracking_uri_comes_from_the_connection(monkeypatch, fields: dict, uri: str) -> None:
    connection(monkeypatch, "mlflow_test", **fields)
    hook = MlflowHook("mlflow_test")
    assert hook.tracking_uri == uri
    assert hook.registry_uri == uri
    assert hook.client().tracking_uri == uri


def test_a_connection_without_host_is_a_clear_error(monkeypatch) -> None:
    connection(monkeypatch, "mlflow_empty")
    with pytest.raises(ValueError, match="connection 'mlflow_empty' has no host"):
        MlflowHook("mlflow_empty").tracking_uri  # noqa: B018


def test_tracking_sets_mlflow_for_the_block_and_restores_it(monkeypatch) -> None:
    connection(
        monkeypatch,
        "mlflow_auth",
        host="http://mlflow.internal:5000",
        login="airloom",
        password="s3cret",
        extra={"registry_uri": "http://registry.internal:5000"},
    )
    before = (mlflow.get_tracking_uri(), mlflow.get_registry_uri())
    had_env = {
        name: os.environ.get(name) for name in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_USERNAME")
    }
    with MlflowHook("mlflow_auth").tracking():
        assert mlflow.get_tracking_uri() == "http://mlflow.internal:5000"
        assert mlflow.get_registry_uri() == "http://registry.internal:5000"
        assert os.environ["MLFLOW_TRACKING_USERNAME"] == "airloom"
    assert (mlflow.get_tracking_uri(), mlflow.get_registry_uri()) == before
    assert {name: os.environ.get(name) for name in had_env} == had_env
