"""The validation checks on models saved to a local folder (no tracking server needed)."""

from __future__ import annotations

import os
from pathlib import Path

import mlflow.pyfunc
import pytest

from airloom.model_checks.benchmark import measure
from airloom.model_checks.fresh_environment import check_fresh_environment
from airloom.model_checks.validation import (
    ThresholdRule,
    check_predictions,
    check_signature,
    check_thresholds,
    metric_goal,
)

os.environ.setdefault("MLFLOW_UV_AUTO_DETECT", "false")


def _frame():
    import numpy as np
    import pandas as pd

    return pd.DataFrame({"tenure": np.arange(30.0), "spend": np.arange(30.0)[::-1]})


@pytest.fixture(scope="module")
def sklearn_model(tmp_path_factory) -> Path:
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression

    frame = _frame()
    path = tmp_path_factory.mktemp("models") / "sklearn"
    model = LogisticRegression().fit(frame, (frame.tenure > 15).astype(int))
    mlflow.sklearn.save_model(
        model, str(path), input_example=frame.head(4), pip_requirements=["scikit-learn"]
    )
    return path


class NeedsTheWorkersEnvironment(mlflow.pyfunc.PythonModel):
    """Works only where a variable of the process that logged it is set."""

    def load_context(self, context):
        self.factor = float(os.environ["AIRLOOM_TEST_SCALING_FACTOR"])

    def predict(self, context, model_input, params=None):
        return model_input.tenure * self.factor


def test_a_sound_sklearn_model_passes_signature_prediction_and_fresh_environment(
    sklearn_model,
) -> None:
    assert check_signature(sklearn_model).passed
    predicted, outputs = check_predictions(sklearn_model)
    assert predicted.passed and predicted.detail == "4 prediction(s)"
    assert outputs.passed, outputs.detail
    fresh = check_fresh_environment(sklearn_model, timeout=300)
    assert fresh.passed, fresh.detail
    assert fresh.detail == "loaded and predicted 4 row(s) in a clean interpreter"


def test_outputs_are_read_as_the_signature_declares_them(tmp_path) -> None:
    """`infer_signature(X, model.predict(X))`, the usual way to log a signature, declares the
    predictions a tensor; a signature declaring other outputs still fails."""
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    frame = _frame()
    model = LogisticRegression().fit(frame, (frame.tenure > 15).astype(int))
    for name, outputs in (("labels", model.predict(frame)), ("probas", model.predict_proba(frame))):
        mlflow.sklearn.save_model(
            model,
            str(tmp_path / name),
            signature=infer_signature(frame, outputs),
            input_example=frame.head(4),
            pip_requirements=["scikit-learn"],
        )

    labels = check_predictions(tmp_path / "labels")[1]
    assert labels.passed, labels.detail
    probas = check_predictions(tmp_path / "probas")[1]
    assert not probas.passed
    assert "signature says [(None, 'tensor:float64', (2,))]" in probas.detail


def test_a_model_that_needs_the_parent_process_fails_the_fresh_environment_check(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("AIRLOOM_TEST_SCALING_FACTOR", "2")
    path = tmp_path / "custom"
    mlflow.pyfunc.save_model(
        str(path),
        python_model=NeedsTheWorkersEnvironment(),
        input_example=_frame().head(2),
        pip_requirements=["pandas"],
    )

    assert check_predictions(path)[0].passed  # fine in this process
    fresh = check_fresh_environment(path, timeout=300)
    assert not fresh.passed
    assert "a clean interpreter could not load it" in fresh.detail
    assert "AIRLOOM_TEST_SCALING_FACTOR" in fresh.detail


def test_metric_direction_is_read_from_the_name() -> None:
    assert metric_goal("roc_auc") == metric_goal("val_accuracy") == "maximize"
    assert metric_goal("val_loss") == metric_goal("rmse") == "minimize"
    assert metric_goal("latency_budget") is None


def test_thresholds_against_the_champion_and_absolute_bounds() -> None:
    champion = {"roc_auc": 0.90, "rmse": 3.0}
    rule = {"roc_auc": ThresholdRule(tolerance=0.02, minimum=0.85)}

    assert check_thresholds({"roc_auc": 0.89}, champion, "champion", rule).passed
    trailing = check_thresholds({"roc_auc": 0.87}, champion, "champion", rule)
    assert not trailing.passed and "trails champion (0.9) by more than 0.02" in trailing.detail
    low = check_thresholds({"roc_auc": 0.80}, None, "champion", rule)
    assert not low.passed and "below the minimum 0.85" in low.detail
    missing = check_thresholds({}, champion, "champion", rule)
    assert not missing.passed and "has no such metric" in missing.detail


def test_without_rules_known_metrics_may_trail_the_champion_by_the_default_tolerance() -> None:
    champion = {"roc_auc": 0.90, "rmse": 3.0, "rows": 100}

    assert check_thresholds({"roc_auc": 0.895, "rmse": 3.005}, champion, "c", {}).passed
    worse = check_thresholds({"roc_auc": 0.90, "rmse": 3.5, "rows": 1}, champion, "c", {})
    assert not worse.passed and worse.detail.startswith("rmse=3.5 exceeds c (3)")
    assert check_thresholds({"roc_auc": 0.5}, None, "c", {}).detail == (
        "nothing to compare (no champion)"
    )


def test_measure_reports_percentiles_and_throughput_per_level() -> None:
    calls = []
    levels = measure(lambda: calls.append(1), concurrency=(1, 4), requests_per_level=50)

    assert [level["concurrency"] for level in levels] == [1, 4]
    assert all(level["requests"] == 50 and level["errors"] == 0 for level in levels)
    assert all(level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"] for level in levels)
    assert len(calls) == 5 + 100  # warm-up plus every measured request
