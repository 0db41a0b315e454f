"""Registered model versions: references, aliases and the tags Airloom puts on them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

CHAMPION = "champion"
CHALLENGER = "challenger"
# Tags naming what produced a version (lineage), read by the marketplace too.
TAG_WORKFLOW = "airloom.workflow"
TAG_RUN_ID = "airloom.run_id"
TAG_DATASET = "airloom.dataset"
TAG_TASK = "airloom.task"

_REFERENCE = re.compile(r"^models:/(?P<name>[^/@]+)/(?P<version>\d+)$")


@dataclass(frozen=True)
class ModelRef:
    """A registered model version, written ``models:/<name>/<version>``."""

    name: str
    version: str

    @classmethod
    def parse(cls, reference: str) -> ModelRef:
        match = _REFERENCE.match(str(reference).strip())
        if not match:
            raise ValueError(
                f"{reference!r} is not a model version reference like 'models:/churn/3'"
            )
        return cls(match["name"], match["version"])

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"

    def __str__(self) -> str:
        return self.uri


def version_by_alias(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    """The version of ``name`` holding ``alias``, or None when no version holds it."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        if exc.error_code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
            return None
        raise


def existing_version(client: MlflowClient, ref: ModelRef) -> ModelVersion:
    """The version ``ref`` names, or a clear error when the registry has no such version."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version(ref.name, ref.version)
    except MlflowException as exc:
        raise LookupError(f"the model registry has no version {ref}: {exc.message}") from None


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
