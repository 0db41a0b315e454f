"""The estimator allow-list: names a designer may pick, and hyperparameters checked by name."""

from __future__ import annotations

import pytest

from airloom.ml.estimators import (
    ESTIMATORS,
    HyperparameterError,
    UnknownEstimatorError,
    build_estimator,
    hyperparameter_problems,
    task_type,
)


def test_an_allowed_estimator_is_built_with_its_hyperparameters() -> None:
    model = build_estimator("random_forest_classifier", {"n_estimators": 7, "max_depth": 3})
    assert type(model).__name__ == "RandomForestClassifier"
    assert model.get_params()["n_estimators"] == 7 and model.get_params()["max_depth"] == 3


def test_an_unknown_estimator_lists_the_allowed_ones() -> None:
    with pytest.raises(UnknownEstimatorError) as error:
        build_estimator("os.system")
    assert "unknown estimator 'os.system'" in str(error.value)
    for name in ESTIMATORS:
        assert name in str(error.value)


def test_a_bad_hyperparameter_is_named_with_the_valid_ones() -> None:
    with pytest.raises(HyperparameterError) as error:
        build_estimator("ridge", {"alpha": 0.5, "n_trees": 10})
    message = str(error.value)
    assert "estimator 'ridge' (Ridge) has no hyperparameter 'n_trees'" in message
    assert "alpha" in message.split("valid:")[1]


def test_hyperparameters_are_checked_against_what_scikit_learn_declares() -> None:
    problems = hyperparameter_problems(
        "random_forest_classifier",
        {"n_estimators": "50", "max_depth": None, "criterion": "entropy", "max_dept": 3},
    )
    assert set(problems) == {"n_estimators", "max_dept"}
    assert problems["n_estimators"].startswith(
        "The 'n_estimators' parameter of RandomForestClassifier must be an int"
    )
    assert "has no hyperparameter 'max_dept'" in problems["max_dept"]
    assert hyperparameter_problems("ridge", {"alpha": 2}) == {}
    with pytest.raises(HyperparameterError, match="'alpha' parameter of Ridge"):
        build_estimator("ridge", {"alpha": "strong"})


def test_the_task_type_comes_from_the_estimator_itself() -> None:
    kinds = {name: task_type(name) for name in ESTIMATORS}
    assert kinds == {
        "logistic_regression": "classification",
        "random_forest_classifier": "classification",
        "gradient_boosting_classifier": "classification",
        "random_forest_regressor": "regression",
        "gradient_boosting_regressor": "regression",
        "ridge": "regression",
        "linear_regression": "regression",
    }
