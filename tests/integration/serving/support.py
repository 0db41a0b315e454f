"""The serving process for tests, and small real models to serve with it."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from airloom_cli.stack import health
from tests.harness.servers import LOOPBACK, RunningServer, free_port, serve

# MLflow would otherwise run `uv export` on this project for every logged model (slow).
os.environ.setdefault("MLFLOW_UV_AUTO_DETECT", "false")

FEATURES = ("tenure", "spend")


@contextlib.contextmanager
def serving_server(state_dir: Path, mlflow_url: str, **settings: str) -> Iterator[RunningServer]:
    """Airloom's serving process (`airloom up` runs the same command) on a free port."""
    port = free_port()
    url = f"http://{LOOPBACK}:{port}"
    environment = {
        "AIRLOOM_SERVING_STATE_DIR": str(state_dir),
        "AIRLOOM_MLFLOW_TRACKING_URI": mlflow_url,
        "AIRLOOM_SERVING_LOG_LEVEL": "WARNING",
        **{f"AIRLOOM_SERVING_{key.upper()}": value for key, value in settings.items()},
    }
    # `serve` starts the command with this process's environment; `env` adds the settings.
    command = [
        "env", *(f"{key}={value}" for key, value in environment.items()),
        sys.executable, "-m", "uvicorn", "marketplace.serving.app:app",
        "--host", LOOPBACK, "--port", str(port), "--no-access-log",
    ]  # fmt: skip
    with serve("serving", command, health.http_ok(f"{url}/healthz"), url, port) as server:
        yield server


def register_linear(tracking_uri: str, name: str, slope: float) -> int:
    """Register ``prediction = slope * tenure + spend`` (signature and input example) as a new
    version of ``name``; every row's prediction is distinct, so mixed-up batches show."""
    import mlflow
    import mlflow.sklearn
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    from airloom.ml.tracking import mlflow_uris

    frame = pd.DataFrame({"tenure": np.arange(20, dtype=float), "spend": np.arange(20.0) % 7})
    model = LinearRegression().fit(frame, slope * frame["tenure"] + frame["spend"])
    with mlflow_uris(tracking_uri), mlflow.start_run():
        mlflow.log_metric("r2", 1.0)
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            input_example=frame.head(2),  # MLflow infers the signature from it
            registered_model_name=name,
            pip_requirements=["scikit-learn"],
        )
    return int(info.registered_model_version)


def expected(slope: float, tenure: float, spend: float) -> float:
    return slope * tenure + spend
