"""Register small real models in the session's MLflow server, the way users and DAGs do."""

from __future__ import annotations

import os
from typing import Any

# MLflow would otherwise run `uv export` on this project for every logged model (slow).
os.environ.setdefault("MLFLOW_UV_AUTO_DETECT", "false")


def register_model(
    tracking_uri: str,
    name: str,
    *,
    metrics: dict[str, float] | None = None,
    model_tags: dict[str, str] | None = None,
    version_tags: dict[str, str] | None = None,
    description: str | None = None,
    with_example: bool = True,
    dataset_name: str | None = None,
    flip_labels: bool = False,
    features: tuple[str, str] = ("tenure", "spend"),
) -> int:
    """Train a tiny logistic regression, log it to a run and register it; return the version."""
    import mlflow
    import numpy as np
    import pandas as pd
    from mlflow import MlflowClient
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    first, second = features
    frame = pd.DataFrame({first: np.arange(40, dtype=float), second: np.arange(40.0)[::-1]})
    labels = (frame[first] > 20).astype(int)
    if flip_labels:
        labels = 1 - labels
    model = LogisticRegression().fit(frame, labels)
    with mlflow.start_run() as run:
        if dataset_name:
            dataset = mlflow.data.from_pandas(
                frame, name=dataset_name, source=f"file:///lake/{dataset_name}"
            )
            mlflow.log_input(dataset, context="training")
        for key, value in (metrics or {}).items():
            mlflow.log_metric(key, value)
        options: dict[str, Any] = {"pip_requirements": ["scikit-learn"]}
        if with_example:
            options["input_example"] = frame.head(3)
        info = mlflow.sklearn.log_model(model, name="model", **options)
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    try:
        client.get_registered_model(name)
    except mlflow.exceptions.MlflowException:
        client.create_registered_model(name, tags=model_tags or {}, description=description)
    version = client.create_model_version(
        name,
        info.model_uri,
        run_id=run.info.run_id,
        tags=version_tags or {},
        model_id=info.model_id,
    )
    return int(version.version)
