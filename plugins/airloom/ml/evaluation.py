"""Judge a candidate model against absolute thresholds and against the current champion.

A relative threshold is an improvement over the champion, signed so that positive is better:
``candidate / champion - 1`` for higher-is-better metrics and ``1 - candidate / champion`` for
lower-is-better ones (rmse, mae), taken against ``|champion|`` as MLflow's own MetricThreshold
does. ``-0.02`` tolerates a candidate 2 % worse; ``0.01`` demands 1 % better. (MLflow's
MetricThreshold only accepts improvements between 0 and 1, so it cannot express a tolerance.)
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from airloom.ml.metrics import MetricName, higher_is_better

NO_CHAMPION_NOTE = "No version has alias 'champion' yet: only absolute thresholds apply."


class MetricThreshold(BaseModel):
    """What one metric must reach for the candidate to pass."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | None = Field(default=None, description="The candidate's value must be ≥ this.")
    max: float | None = Field(default=None, description="The candidate's value must be ≤ this.")
    min_relative_to_champion: float | None = Field(
        default=None,
        description="Least relative improvement over the champion (positive = better): "
        "-0.02 tolerates 2 % worse, 0.01 demands 1 % better. Ignored while there is no champion.",
    )

    @model_validator(mode="after")
    def _something(self) -> MetricThreshold:
        if self.min is None and self.max is None and self.min_relative_to_champion is None:
            raise ValueError("set 'min', 'max' or 'min_relative_to_champion'")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        if self.min_relative_to_champion is not None:
            parts.append(f"{_percent(self.min_relative_to_champion)} or better vs champion")
        return " and ".join(parts)


Thresholds = Annotated[dict[MetricName, MetricThreshold], Field(min_length=1)]


@dataclass(frozen=True)
class MetricVerdict:
    metric: str
    candidate: float
    champion: float | None
    relative: float | None  # improvement over the champion; positive is better
    threshold: str  # "" for metrics reported without a threshold
    passed: bool | None  # None: reported only
    reasons: list[str]

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "FAIL", None: "-"}[self.passed]


@dataclass(frozen=True)
class ModelEvaluation:
    candidate: str
    champion: str | None
    dataset: str
    rows: int
    verdicts: list[MetricVerdict]

    @property
    def passed(self) -> bool:
        return all(v.passed is not False for v in self.verdicts)

    @property
    def note(self) -> str:
        return "" if self.champion else NO_CHAMPION_NOTE

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "champion": self.champion,
            "dataset": self.dataset,
            "rows": self.rows,
            "passed": self.passed,
            "note": self.note,
            "metrics": [asdict(v) | {"verdict": v.verdict} for v in self.verdicts],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def to_markdown(self) -> str:
        lines = [
            f"# Evaluation {'PASSED' if self.passed else 'FAILED'}: {self.candidate}",
            "",
            f"Holdout `{self.dataset}` ({self.rows} rows); champion: {self.champion or 'none'}.",
            *([f"\n{self.note}"] if self.note else []),
            "",
            "| metric | candidate | champion | vs champion | threshold | verdict | why |",
            "|---|---|---|---|---|---|---|",
        ]
        for v in self.verdicts:
            champion = "" if v.champion is None else f"{v.champion:.4f}"
            relative = "" if v.relative is None else _percent(v.relative)
            lines.append(
                f"| {v.metric} | {v.candidate:.4f} | {champion} | {relative} | {v.threshold} "
                f"| {v.verdict} | {'; '.join(v.reasons)} |"
            )
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """The lines a person reads in the task log."""
        against = f"champion {self.champion}" if self.champion else "no champion"
        lines = [
            f"Candidate {self.candidate} {'PASSED' if self.passed else 'FAILED'} evaluation on "
            f"{self.dataset} ({self.rows} rows) against {against}."
        ]
        if self.note:
            lines.append(self.note)
        for v in self.verdicts:
            if v.passed is None:
                continue
            champion = "" if v.champion is None else f", champion {v.champion:.4f}"
            relative = "" if v.relative is None else f" ({_percent(v.relative)})"
            lines.append(
                f"  {v.verdict:4} {v.metric}: candidate {v.candidate:.4f}{champion}{relative}; "
                f"needs {v.threshold}" + (f" -- {'; '.join(v.reasons)}" if v.reasons else "")
            )
        return "\n".join(lines)


def _percent(value: float) -> str:
    return f"{value:+.1%}" if math.isfinite(value) else f"{value:+}"


def relative_improvement(metric: str, candidate: float, champion: float) -> float:
    """How much better the candidate is, as a fraction of the champion's magnitude."""
    change = candidate - champion if higher_is_better(metric) else champion - candidate
    if champion == 0:
        return 0.0 if change == 0 else math.copysign(math.inf, change)
    return change / abs(champion)


def judge(
    metric: str, candidate: float, champion: float | None, threshold: MetricThreshold | None
) -> MetricVerdict:
    relative = None if champion is None else relative_improvement(metric, candidate, champion)
    if threshold is None:
        return MetricVerdict(metric, candidate, champion, relative, "", None, [])
    reasons = []
    if threshold.min is not None and candidate < threshold.min:
        reasons.append(f"below the minimum {threshold.min:g}")
    if threshold.max is not None and candidate > threshold.max:
        reasons.append(f"above the maximum {threshold.max:g}")
    wanted = threshold.min_relative_to_champion
    if wanted is not None and relative is not None and relative < wanted:
        reasons.append(f"{_percent(relative)} vs champion, {_percent(wanted)} required")
    return MetricVerdict(
        metric, candidate, champion, relative, threshold.describe(), not reasons, reasons
    )


def compare(
    candidate_metrics: dict[str, float],
    champion_metrics: dict[str, float] | None,
    thresholds: dict[str, MetricThreshold],
    *,
    candidate: str,
    champion: str | None,
    dataset: str,
    rows: int,
) -> ModelEvaluation:
    """Every metric of the candidate, judged where a threshold names it."""
    unknown = sorted(set(thresholds) - set(candidate_metrics))
    if unknown:
        raise ValueError(
            f"thresholds name {unknown}, which {candidate} does not report; it reports "
            f"{sorted(candidate_metrics)}"
        )
    verdicts = [
        judge(
            metric,
            value,
            None if champion_metrics is None else champion_metrics.get(metric),
            thresholds.get(metric),
        )
        for metric, value in candidate_metrics.items()
    ]
    return ModelEvaluation(candidate, champion, dataset, rows, verdicts)


def score_version(ref: Any, frame: Any, target: str) -> dict[str, float]:
    """Metrics of registered version ``ref`` on ``frame`` (inside an MLflow tracking block).

    The features are the columns the version was trained on, read from its signature.
    """
    from sklearn.base import is_classifier

    from airloom.ml.metrics import compute_metrics
    from airloom.ml.registry import input_columns, load_sklearn
    from airloom.ml.training import features_and_target

    model = load_sklearn(ref)
    features, labels = features_and_target(frame, target, input_columns(ref))
    task = "classification" if is_classifier(model) else "regression"
    return compute_metrics(model, features, labels, task)
