"""Registered model versions: the one reference type, and the reads and writes Airloom makes.

Clients come from :class:`airloom.hooks.mlflow.MlflowHook` (in Airflow) or the marketplace's
registry; tag names from :mod:`airloom.model_tags`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

_REFERENCE = re.compile(r"^models:/(?P<name>[^/@]+)/(?P<version>\d+)$")
# What MLflow answers for a model, version or alias that does not exist.
_MISSING = ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND", "INVALID_PARAMETER_VALUE")


class ModelVersionNotFound(LookupError):
    """The registry has no such model version."""


@dataclass(frozen=True)
class ModelRef:
    """A registered model version, written ``models:/<name>/<version>``."""

    name: str
    version: int

    def __post_init__(self) -> None:
        # MLflow hands versions back as strings; one type here keeps comparisons honest.
        object.__setattr__(self, "version", int(self.version))

    @classmethod
    def parse(cls, reference: str) -> ModelRef:
        match = _REFERENCE.match(str(reference).strip())
        if not match:
            raise ValueError(
                f"{reference!r} is not a model version reference like 'models:/churn/3'"
            )
        return cls(match["name"], int(match["version"]))

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"

    def __str__(self) -> str:
        return self.uri


def get_version(client: MlflowClient, ref: ModelRef) -> ModelVersion:
    """The version ``ref`` names, or :class:`ModelVersionNotFound` saying which."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version(ref.name, str(ref.version))
    except MlflowException as exc:
        if exc.error_code in _MISSING:
            raise ModelVersionNotFound(f"the model registry has no version {ref}") from None
        raise


def version_by_alias(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    """The version of ``name`` holding ``alias``, or None when no version holds it."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        if exc.error_code in _MISSING:
            return None
        raise


def alias_version(client: MlflowClient, name: str, alias: str) -> int | None:
    """The version number ``alias`` points at, or None when the alias is not set."""
    holder = version_by_alias(client, name, alias)
    return None if holder is None else int(holder.version)


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
    """Set version tags; values that are not text are stored as JSON."""
    for key, value in tags.items():
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        client.set_model_version_tag(ref.name, str(ref.version), key, text)


def load_sklearn(ref: ModelRef) -> Any:
    """The scikit-learn estimator stored in version ``ref`` (within a tracking block)."""
    import mlflow.sklearn
    from mlflow.exceptions import MlflowException

    try:
        return mlflow.sklearn.load_model(ref.uri)
    except MlflowException as exc:
        raise LookupError(f"cannot load {ref} as a scikit-learn model: {exc.message}") from None


def input_columns(ref: ModelRef) -> list[str] | None:
    """The feature columns version ``ref`` was trained on, from its signature."""
    from mlflow.models import get_model_info

    signature = get_model_info(ref.uri).signature
    return None if signature is None else signature.inputs.input_names()
