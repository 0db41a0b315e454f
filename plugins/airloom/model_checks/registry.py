"""Reach one model version in MLflow's registry from a task, through the `airloom_mlflow`
connection (its host is the tracking URI)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airloom.connections import MLFLOW_CONN_ID

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion


class ModelVersionNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ModelRef:
    name: str
    version: int

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"

    def __str__(self) -> str:
        return f"{self.name} version {self.version}"


def tracking_uri(conn_id: str = MLFLOW_CONN_ID) -> str:
    from airflow.sdk import BaseHook

    connection = BaseHook.get_connection(conn_id)
    uri = (connection.host or "").rstrip("/")
    if not uri:
        raise ValueError(f"connection {conn_id!r} has no host naming the MLflow tracking URI")
    if "://" not in uri:
        port = f":{connection.port}" if connection.port else ""
        uri = f"{connection.conn_type or 'http'}://{uri}{port}"
    return uri


def registry_client(uri: str) -> MlflowClient:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def get_version(client: MlflowClient, ref: ModelRef) -> ModelVersion:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version(ref.name, str(ref.version))
    except MlflowException as exc:
        if exc.error_code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"):
            raise ModelVersionNotFound(f"model {ref} is not in the MLflow registry") from exc
        raise


def alias_version(client: MlflowClient, name: str, alias: str) -> int | None:
    """The version ``alias`` points at, or None when the alias is not set."""
    from mlflow.exceptions import MlflowException

    try:
        return int(client.get_model_version_by_alias(name, alias).version)
    except MlflowException as exc:
        if exc.error_code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND", "INVALID_PARAMETER_VALUE"):
            return None
        raise


def download_model(client: MlflowClient, ref: ModelRef, destination: Path) -> Path:
    """Copy the version's model directory (MLmodel, weights, input example) locally."""
    import mlflow

    get_version(client, ref)  # a clear "not found" before any download
    uri = client.get_model_version_download_uri(ref.name, str(ref.version))
    path = mlflow.artifacts.download_artifacts(
        artifact_uri=uri, dst_path=str(destination), tracking_uri=client.tracking_uri
    )
    return Path(path)


def run_metrics(client: MlflowClient, version: ModelVersion) -> dict[str, float]:
    """Metrics of the run that trained ``version`` (or of its logged model, MLflow 3)."""
    metrics: dict[str, float] = {}
    if version.run_id:
        metrics.update(client.get_run(version.run_id).data.metrics)
    model_id = getattr(version, "model_id", None)
    if not metrics and model_id:
        for metric in client.get_logged_model(model_id).metrics or []:
            metrics[metric.key] = metric.value
    return metrics


def write_tags(client: MlflowClient, ref: ModelRef, tags: dict[str, Any]) -> None:
    for key, value in tags.items():
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        client.set_model_version_tag(ref.name, str(ref.version), key, text)
