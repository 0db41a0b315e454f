"""The scikit-learn estimators a workflow may train, chosen by name from an allow-list.

Only these classes can be built from a workflow design, so a designer picks a model and its
hyperparameters but never names arbitrary code. Classes are imported when used, so a DAG file
that only names an estimator parses without importing scikit-learn.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Literal

# Name → "module:Class". Add an entry to offer another estimator in the builder.
ESTIMATORS: dict[str, str] = {
    "logistic_regression": "sklearn.linear_model:LogisticRegression",
    "random_forest_classifier": "sklearn.ensemble:RandomForestClassifier",
    "gradient_boosting_classifier": "sklearn.ensemble:GradientBoostingClassifier",
    "random_forest_regressor": "sklearn.ensemble:RandomForestRegressor",
    "gradient_boosting_regressor": "sklearn.ensemble:GradientBoostingRegressor",
    "ridge": "sklearn.linear_model:Ridge",
    "linear_regression": "sklearn.linear_model:LinearRegression",
}

EstimatorName = Literal[tuple(ESTIMATORS)]  # type: ignore[valid-type]
TaskType = Literal["classification", "regression"]


class UnknownEstimatorError(ValueError):
    pass


class HyperparameterError(ValueError):
    pass


def estimator_class(name: str) -> type:
    """The scikit-learn class allowed under ``name``."""
    if name not in ESTIMATORS:
        raise UnknownEstimatorError(
            f"unknown estimator {name!r}; allowed: {', '.join(sorted(ESTIMATORS))}"
        )
    module, _, attribute = ESTIMATORS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def task_type(name: str) -> TaskType:
    """Whether estimator ``name`` classifies or regresses, as scikit-learn itself says."""
    from sklearn.base import is_classifier

    return "classification" if is_classifier(estimator_class(name)()) else "regression"


def hyperparameter_problems(name: str, hyperparameters: Mapping[str, Any]) -> dict[str, str]:
    """Why each hyperparameter does not fit estimator ``name``, by hyperparameter name.

    Names are checked against the estimator's own parameters, and values against the
    constraints scikit-learn declares for each (``_parameter_constraints``, which its ``fit``
    enforces): a type or a range, e.g. ``max_depth`` an int of at least 1 or None.
    """
    cls = estimator_class(name)
    known = cls().get_params(deep=False)
    problems = {
        key: f"estimator {name!r} ({cls.__name__}) has no hyperparameter {key!r}; "
        f"valid: {', '.join(sorted(known))}"
        for key in hyperparameters
        if key not in known
    }
    constraints = getattr(cls, "_parameter_constraints", {})
    for key, value in hyperparameters.items():
        if key in known and key in constraints:
            problem = _constraint_problem(cls, key, value, constraints[key])
            if problem:
                problems[key] = problem
    return problems


def _constraint_problem(cls: type, key: str, value: Any, constraints: Any) -> str | None:
    try:
        from sklearn.utils._param_validation import (
            InvalidParameterError,
            validate_parameter_constraints,
        )
    except ImportError:  # a scikit-learn without declared constraints: fit checks them
        return None
    try:
        validate_parameter_constraints({key: constraints}, {key: value}, cls.__name__)
    except InvalidParameterError as error:
        return str(error)
    return None


def build_estimator(name: str, hyperparameters: Mapping[str, Any] | None = None) -> Any:
    """An unfitted estimator with ``hyperparameters``, each checked against its parameters."""
    problems = hyperparameter_problems(name, hyperparameters or {})
    if problems:
        raise HyperparameterError("; ".join(problems.values()))
    return estimator_class(name)(**dict(hyperparameters or {}))
