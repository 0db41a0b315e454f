"""Holdout metrics per task type, and which way each one improves."""

from __future__ import annotations

import math
from typing import Any, Literal

from airloom.ml.estimators import TaskType

MetricName = Literal["accuracy", "f1", "precision", "recall", "roc_auc", "rmse", "mae", "r2"]

METRICS: dict[TaskType, tuple[str, ...]] = {
    "classification": ("accuracy", "f1", "precision", "recall", "roc_auc"),
    "regression": ("rmse", "mae", "r2"),
}
LOWER_IS_BETTER = frozenset({"rmse", "mae"})


def higher_is_better(metric: str) -> bool:
    return metric not in LOWER_IS_BETTER


def compute_metrics(model: Any, features: Any, target: Any, task: TaskType) -> dict[str, float]:
    """Score a fitted model on a holdout set.

    For two classes, precision/recall/f1 are about the model's second class (``classes_[1]``,
    e.g. 1 or True) and roc_auc uses its probability; with more classes they are weighted
    averages and roc_auc is left out.
    """
    from sklearn import metrics as sk

    predicted = model.predict(features)
    if task == "regression":
        return {
            "rmse": math.sqrt(sk.mean_squared_error(target, predicted)),
            "mae": float(sk.mean_absolute_error(target, predicted)),
            "r2": float(sk.r2_score(target, predicted)),
        }
    classes = list(model.classes_)
    binary = len(classes) == 2
    averaging: dict[str, Any] = (
        {"average": "binary", "pos_label": classes[1]} if binary else {"average": "weighted"}
    )
    scores = {
        "accuracy": float(sk.accuracy_score(target, predicted)),
        "f1": float(sk.f1_score(target, predicted, zero_division=0, **averaging)),
        "precision": float(sk.precision_score(target, predicted, zero_division=0, **averaging)),
        "recall": float(sk.recall_score(target, predicted, zero_division=0, **averaging)),
    }
    if binary and hasattr(model, "predict_proba") and len(set(target)) == 2:
        positive = model.predict_proba(features)[:, 1]
        scores["roc_auc"] = float(sk.roc_auc_score(target == classes[1], positive))
    return scores
