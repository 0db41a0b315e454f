"""The registry target against a real MLflow server: promote, read, list, predict, retire."""

from __future__ import annotations

import pandas as pd
import pytest
from mlflow import MlflowClient
from sklearn.linear_model import LinearRegression

from airloom.deploy import DeploymentError, DeploymentNotFound, get_target
from airloom.deploy.registry_target import deployment_history
from airloom.ml.registry import version_by_alias
from tests.integration.operators.ml_data import register_version


def register_two_versions(mlflow_url: str, name: str) -> str:
    """Versions 1 (y = 2x) and 2 (y = 3x) of ``name``, neither deployed yet."""
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    for slope in (2, 3):
        register_version(mlflow_url, name, LinearRegression().fit(frame, frame["x"] * slope), frame)
    return name


def test_the_lifecycle_of_a_registry_deployment(mlflow) -> None:
    name = register_two_versions(mlflow.url, "test-registry-lifecycle")
    target = get_target("registry", tracking_uri=mlflow.url)
    audit = {"deployed_by": "alice", "reason": "first release"}
    first = target.create_deployment(name, f"models:/{name}/1", config=audit)
    assert (first["version"], first["previous_version"], first["deployed_by"]) == (
        "1",
        None,
        "alice",
    )

    second = target.update_deployment(
        name, model_uri=f"models:/{name}/2", config={"deployed_by": "bob", "reason": "better"}
    )
    assert (second["version"], second["previous_version"]) == ("2", "1")
    current = target.get_deployment(name)
    assert current["model_uri"] == f"models:/{name}/2" and current["deployed_by"] == "bob"
    assert name in {d["name"] for d in target.list_deployments()}
    predictions = target.predict(name, pd.DataFrame({"x": [10.0]}))
    assert list(predictions) == pytest.approx([30.0])  # version 2 learned y = 3x

    target.delete_deployment(name, config={"deployed_by": "carol", "reason": "retired"})
    target.delete_deployment(name)  # idempotent
    with pytest.raises(DeploymentNotFound, match="has no 'champion' version"):
        target.get_deployment(name)
    history = deployment_history(MlflowClient(mlflow.url), name)
    assert [(e["action"], e["version"], e["from_version"], e["deployed_by"]) for e in history] == [
        ("promote", "1", None, "alice"),
        ("promote", "2", "1", "bob"),
        ("retire", "2", "2", "carol"),
    ]


def test_a_missing_version_or_another_model_is_refused_and_nothing_moves(mlflow) -> None:
    name = register_two_versions(mlflow.url, "test-registry-refusals")
    target = get_target("registry", tracking_uri=mlflow.url)
    target.create_deployment(name, f"models:/{name}/1", config={"deployed_by": "alice"})
    with pytest.raises(DeploymentError, match=f"no version models:/{name}/9"):
        target.create_deployment(name, f"models:/{name}/9")
    with pytest.raises(DeploymentError, match="is another model"):
        target.create_deployment(name, "models:/someone-else/1")
    with pytest.raises(DeploymentError, match="not a model version reference"):
        target.create_deployment(name, f"models:/{name}@champion")
    assert version_by_alias(MlflowClient(mlflow.url), name, "champion").version == "1"
