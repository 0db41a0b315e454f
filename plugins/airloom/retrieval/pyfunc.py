"""The embedder's MLflow pyfunc wrapper (imports MLflow, so it is only loaded when needed)."""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc

from airloom.retrieval.embedder import TEXT_COLUMN


class EmbeddingModel(mlflow.pyfunc.PythonModel):
    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    def predict(self, context: Any, model_input: Any, params: dict | None = None) -> Any:
        import pandas as pd

        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        if TEXT_COLUMN not in frame.columns:
            frame = frame.iloc[:, :1].set_axis([TEXT_COLUMN], axis=1)
        return self.pipeline.transform(frame[[TEXT_COLUMN]].fillna("").astype(str))
