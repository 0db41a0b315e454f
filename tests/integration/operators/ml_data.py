"""Small, seeded datasets and registered versions for the operator tests (real lake and MLflow)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from airloom.datasets import write_table


def churn(rows: int = 240, seed: int = 0) -> pd.DataFrame:
    """Customers whose churn depends on tenure; 'noise' carries no signal."""
    rng = np.random.default_rng(seed)
    tenure = rng.uniform(0, 60, rows)
    churned = (tenure < 20) ^ (rng.uniform(size=rows) < 0.05)
    return pd.DataFrame(
        {
            "tenure": tenure,
            "spend": rng.uniform(10, 100, rows),
            "noise": rng.normal(size=rows),
            "churned": churned.astype("int64"),
            "_ingested_at": pd.Timestamp("2026-11-23", tz="UTC"),
        }
    )


def write_dataset(lake: Path, name: str, frame: pd.DataFrame) -> str:
    """Write ``frame`` as dataset ``name`` in the lake; return its URI."""
    uri = (lake / name).as_uri()
    write_table(pa.Table.from_pandas(frame, preserve_index=False), uri, "part-0")
    return uri


def register_version(
    tracking_uri: str, name: str, model: Any, features: pd.DataFrame, alias: str | None = None
) -> str:
    """Register a fitted model as a new version of ``name`` (with a signature); return it."""
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    from airloom.ml.tracking import mlflow_uris

    with mlflow_uris(tracking_uri), mlflow.start_run():
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(features, model.predict(features)),
            registered_model_name=name,
            pip_requirements=["scikit-learn"],
        )
    version = str(info.registered_model_version)
    if alias:
        mlflow.MlflowClient(tracking_uri).set_registered_model_alias(name, alias, version)
    return version
