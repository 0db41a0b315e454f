"""Thresholds: absolute bounds always, relative ones against the champion when there is one."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from airloom.ml.evaluation import NO_CHAMPION_NOTE, Thresholds, compare, relative_improvement

THRESHOLDS = TypeAdapter(Thresholds)


def judged(candidate: dict, champion: dict | None, thresholds: dict):
    return compare(
        candidate,
        champion,
        THRESHOLDS.validate_python(thresholds),
        candidate="models:/churn/2",
        champion=None if champion is None else "models:/churn/1",
        dataset="file:///lake/holdout",
        rows=100,
    )


def test_relative_improvement_points_the_right_way_for_each_metric() -> None:
    assert relative_improvement("roc_auc", 0.88, 0.80) == pytest.approx(0.10)
    assert relative_improvement("rmse", 9.0, 10.0) == pytest.approx(0.10)  # lower rmse is better
    assert relative_improvement("rmse", 11.0, 10.0) == pytest.approx(-0.10)
    assert relative_improvement("r2", 0.0, -0.5) == pytest.approx(1.0)  # against |champion|


def test_a_candidate_within_tolerance_of_the_champion_passes() -> None:
    result = judged(
        {"roc_auc": 0.79, "accuracy": 0.7},
        {"roc_auc": 0.80, "accuracy": 0.9},
        {"roc_auc": {"min": 0.7, "min_relative_to_champion": -0.02}},
    )
    assert result.passed
    by_metric = {v.metric: v for v in result.verdicts}
    assert by_metric["roc_auc"].passed and by_metric["accuracy"].passed is None  # report only


def test_a_candidate_worse_than_the_champion_fails_with_reasons() -> None:
    result = judged(
        {"rmse": 12.0},
        {"rmse": 10.0},
        {"rmse": {"max": 11.0, "min_relative_to_champion": -0.05}},
    )
    assert not result.passed
    assert result.verdicts[0].reasons == [
        "above the maximum 11",
        "-20.0% vs champion, -5.0% required",
    ]
    summary = result.summary()
    assert "Candidate models:/churn/2 FAILED evaluation" in summary
    assert "FAIL rmse: candidate 12.0000, champion 10.0000 (-20.0%)" in summary
    assert "| rmse | 12.0000 | 10.0000 | -20.0% |" in result.to_markdown()


def test_without_a_champion_only_absolute_thresholds_apply() -> None:
    result = judged(
        {"roc_auc": 0.75}, None, {"roc_auc": {"min": 0.7, "min_relative_to_champion": 0.5}}
    )
    assert result.passed and result.note == NO_CHAMPION_NOTE
    assert NO_CHAMPION_NOTE in result.summary() and NO_CHAMPION_NOTE in result.to_markdown()


def test_a_threshold_on_a_metric_the_model_does_not_report_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"thresholds name \['rmse'\]"):
        judged({"roc_auc": 0.9}, None, {"rmse": {"max": 3}})


def test_thresholds_must_name_known_metrics_and_a_bound() -> None:
    with pytest.raises(ValidationError, match="Input should be 'accuracy'"):
        THRESHOLDS.validate_python({"auc": {"min": 0.7}})
    with pytest.raises(ValidationError, match="set 'min', 'max' or 'min_relative_to_champion'"):
        THRESHOLDS.validate_python({"f1": {}})
