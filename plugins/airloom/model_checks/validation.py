"""The checks a model version must pass before it may be deployed.

Each check returns a :class:`CheckResult`; :func:`build_report` turns them into the report the
`model_validation` DAG stores as the ``airloom.validation.*`` tags of the version.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from airloom.model_tags import CHAMPION_ALIAS

SIGNATURE_PRESENT = "signature_present"
INPUT_EXAMPLE_PREDICTS = "input_example_predicts"
OUTPUTS_MATCH_SIGNATURE = "outputs_match_signature"
LOADS_IN_FRESH_ENVIRONMENT = "loads_in_fresh_environment"
METRIC_THRESHOLDS = "metric_thresholds"
CHECK_NAMES = (
    SIGNATURE_PRESENT,
    INPUT_EXAMPLE_PREDICTS,
    OUTPUTS_MATCH_SIGNATURE,
    LOADS_IN_FRESH_ENVIRONMENT,
    METRIC_THRESHOLDS,
)

# Without explicit thresholds a candidate may trail the champion by this much on a metric whose
# direction its name gives away (roc_auc, accuracy, rmse, …).
DEFAULT_TOLERANCE = 0.01
_MINIMIZE_WORDS = {"loss", "error", "rmse", "mse", "mae", "mape", "logloss"}
_MAXIMIZE_WORDS = {"auc", "accuracy", "f1", "precision", "recall", "r2", "ap", "score"}
_DETAIL_LIMIT = 600


class ThresholdRule(BaseModel):
    """How one metric of the candidate is judged (absolute bounds and against the champion)."""

    model_config = ConfigDict(extra="forbid")

    goal: Literal["maximize", "minimize"] | None = Field(
        default=None, description="Which way is better; guessed from the metric name if omitted."
    )
    tolerance: float = Field(
        default=0.0, ge=0, description="How much worse than the champion the candidate may be."
    )
    minimum: float | None = None
    maximum: float | None = None


class ValidationConf(BaseModel):
    """The conf of a `model_validation` DAG run."""

    model_config = ConfigDict(extra="forbid")

    model_name: str = Field(min_length=1)
    version: int = Field(ge=1)
    champion_alias: str = CHAMPION_ALIAS
    thresholds: dict[str, ThresholdRule] = Field(default_factory=dict)
    fresh_environment_timeout: float = Field(default=300.0, gt=0, le=3600)


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"detail": self.detail[:_DETAIL_LIMIT]}


def metric_goal(metric: str) -> str | None:
    words = set(re.split(r"[^a-z0-9]+", metric.lower()))
    if words & _MINIMIZE_WORDS:
        return "minimize"
    if words & _MAXIMIZE_WORDS:
        return "maximize"
    return None


def check_signature(model_dir: Path) -> CheckResult:
    from mlflow.models import Model

    signature = Model.load(str(model_dir)).signature
    if signature is None or signature.inputs is None:
        return CheckResult(SIGNATURE_PRESENT, False, "the model was logged without a signature")
    outputs = "no outputs" if signature.outputs is None else f"{len(signature.outputs.inputs)}"
    return CheckResult(
        SIGNATURE_PRESENT,
        True,
        f"{len(signature.inputs.inputs)} input(s), {outputs} output(s)",
    )


def _schema_fields(schema: Any) -> list[tuple[Any, ...]]:
    """Comparable (name, type, shape without batch axis) per field of an MLflow Schema."""
    fields = []
    for spec in schema.to_dict():
        kind = spec.get("type")
        if kind == "tensor":
            dtype = spec.get("tensor-spec", {}).get("dtype")
            shape = tuple(spec.get("tensor-spec", {}).get("shape", ())[1:])
            fields.append((spec.get("name"), f"tensor:{dtype}", shape))
        else:
            fields.append((spec.get("name"), kind, ()))
    return fields


def check_predictions(model_dir: Path) -> list[CheckResult]:
    """The input example predicts, and what comes out has the signature's output schema."""
    import mlflow.pyfunc
    import numpy as np
    import pandas as pd
    from mlflow.models import Model, infer_signature

    model_meta = Model.load(str(model_dir))
    try:
        example = model_meta.load_input_example(str(model_dir))
    except Exception as exc:  # noqa: BLE001 - a broken example is a failed check, not a crash
        example, reason = None, f"the input example cannot be read: {exc}"
    else:
        reason = "the model was logged without an input example"
    if example is None:
        return [
            CheckResult(INPUT_EXAMPLE_PREDICTS, False, reason),
            CheckResult(OUTPUTS_MATCH_SIGNATURE, False, "no prediction to compare"),
        ]
    try:
        prediction = mlflow.pyfunc.load_model(str(model_dir)).predict(example)
    except Exception as exc:  # noqa: BLE001 - the model's own failure is the finding
        return [
            CheckResult(INPUT_EXAMPLE_PREDICTS, False, f"predict failed: {exc}"),
            CheckResult(OUTPUTS_MATCH_SIGNATURE, False, "no prediction to compare"),
        ]
    rows = len(prediction) if hasattr(prediction, "__len__") else 1
    predicted = CheckResult(INPUT_EXAMPLE_PREDICTS, True, f"{rows} prediction(s)")
    signature = model_meta.signature
    if signature is None or signature.outputs is None:
        return [predicted, CheckResult(OUTPUTS_MATCH_SIGNATURE, False, "no output signature")]
    if (
        not signature.outputs.is_tensor_spec()
        and isinstance(prediction, np.ndarray)
        and prediction.ndim == 1
    ):
        # A signature MLflow inferred from the input example declares per-row predictions as
        # one column; one from `infer_signature(X, model.predict(X))` declares the same array
        # a tensor. Read the prediction the way the signature declares it.
        prediction = pd.Series(prediction)
    actual = infer_signature(example, prediction).outputs
    expected_fields, actual_fields = _schema_fields(signature.outputs), _schema_fields(actual)
    if expected_fields == actual_fields:
        return [predicted, CheckResult(OUTPUTS_MATCH_SIGNATURE, True, str(expected_fields))]
    detail = f"signature says {expected_fields}, the model returned {actual_fields}"
    return [predicted, CheckResult(OUTPUTS_MATCH_SIGNATURE, False, detail)]


def check_thresholds(
    candidate: dict[str, float],
    champion: dict[str, float] | None,
    champion_label: str,
    rules: dict[str, ThresholdRule],
) -> CheckResult:
    """Judge the candidate's metrics by absolute bounds and against the champion's."""
    if not rules:
        shared = set(candidate) & set(champion or {})
        rules = {
            metric: ThresholdRule(tolerance=DEFAULT_TOLERANCE)
            for metric in sorted(shared)
            if metric_goal(metric)
        }
    if not rules:
        note = "no champion" if champion is None else "no comparable metrics"
        return CheckResult(METRIC_THRESHOLDS, True, f"nothing to compare ({note})")
    failures, notes = [], []
    for metric, rule in sorted(rules.items()):
        value = candidate.get(metric)
        if value is None:
            failures.append(f"{metric}: the candidate has no such metric")
            continue
        if rule.minimum is not None and value < rule.minimum:
            failures.append(f"{metric}={value:.4g} is below the minimum {rule.minimum:.4g}")
        if rule.maximum is not None and value > rule.maximum:
            failures.append(f"{metric}={value:.4g} is above the maximum {rule.maximum:.4g}")
        reference = (champion or {}).get(metric)
        if reference is None:
            notes.append(f"{metric}={value:.4g}")
            continue
        goal = rule.goal or metric_goal(metric)
        if goal is None:
            failures.append(f"{metric}: say whether to maximize or minimize it")
        elif goal == "maximize" and value < reference - rule.tolerance:
            failures.append(
                f"{metric}={value:.4g} trails {champion_label} ({reference:.4g}) "
                f"by more than {rule.tolerance:.4g}"
            )
        elif goal == "minimize" and value > reference + rule.tolerance:
            failures.append(
                f"{metric}={value:.4g} exceeds {champion_label} ({reference:.4g}) "
                f"by more than {rule.tolerance:.4g}"
            )
        else:
            notes.append(f"{metric}={value:.4g} vs {champion_label} {reference:.4g}")
    if failures:
        return CheckResult(METRIC_THRESHOLDS, False, "; ".join(failures))
    return CheckResult(METRIC_THRESHOLDS, True, "; ".join(notes))


def build_report(
    conf: ValidationConf,
    results: list[CheckResult],
    champion_version: int | None,
    airflow_run_id: str | None,
) -> dict[str, Any]:
    by_name = {result.name: result for result in results}
    checks = [
        by_name.get(name, CheckResult(name, False, "the check did not run; see the task log"))
        for name in CHECK_NAMES
    ]
    return {
        "status": "passed" if all(check.passed for check in checks) else "failed",
        "model": conf.model_name,
        "version": conf.version,
        "champion_alias": conf.champion_alias,
        "champion_version": champion_version,
        "checks": [check.to_dict() for check in checks],
        "airflow_run_id": airflow_run_id,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
