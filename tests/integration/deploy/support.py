"""Model versions for rollout tests: one that loads and serves, but fails its own example."""

from __future__ import annotations

from pathlib import Path

BROKEN_MODEL = """
import mlflow
from mlflow.pyfunc import PythonModel


class Broken(PythonModel):
    def predict(self, context, model_input, params=None):
        raise ValueError("this version cannot score its own input example")


mlflow.models.set_model(Broken())
"""


def register_broken(tracking_uri: str, name: str, folder: Path) -> int:
    """A version that loads and is served, but answers its own input example with an error:
    the serving process takes it, only a real request shows it is broken."""
    import mlflow
    import numpy as np
    import pandas as pd
    from mlflow.models import infer_signature

    from airloom.ml.tracking import mlflow_uris

    code = folder / "broken_model.py"
    code.write_text(BROKEN_MODEL)
    frame = pd.DataFrame({"tenure": np.arange(4, dtype=float), "spend": np.arange(4.0)})
    with mlflow_uris(tracking_uri), mlflow.start_run():
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(code),
            input_example=frame.head(2),
            signature=infer_signature(frame, np.zeros(len(frame))),
            registered_model_name=name,
            pip_requirements=["mlflow"],
        )
    return int(info.registered_model_version)
