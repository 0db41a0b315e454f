"""Fit an allow-listed estimator on a feature table and score it on a holdout split."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airloom.ml.estimators import TaskType, build_estimator, task_type
from airloom.ml.metrics import compute_metrics

if TYPE_CHECKING:
    import pandas as pd

INPUT_EXAMPLE_ROWS = 5
HOLDOUT_BUCKETS = 10_000  # test_size is honoured to 1/10,000 of the rows


class TrainingDataError(ValueError):
    """The feature table cannot be used as given (missing, non-numeric or empty columns)."""


@dataclass(frozen=True)
class TrainedModel:
    model: Any
    estimator: str
    task: TaskType
    metrics: dict[str, float]
    feature_columns: list[str]
    train_rows: int
    test_rows: int
    input_example: pd.DataFrame
    holdout_index: pd.Index  # the rows of the input frame that were held out


def default_features(frame: pd.DataFrame, target: str) -> list[str]:
    """Every column but the target and bookkeeping columns (those starting with '_')."""
    return [c for c in frame.columns if c != target and not str(c).startswith("_")]


def features_and_target(
    frame: pd.DataFrame, target: str, feature_columns: Sequence[str] | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Split ``frame`` into numeric features and the target, or say precisely what is wrong."""
    from pandas.api.types import is_numeric_dtype

    columns = list(frame.columns)
    if target not in columns:
        raise TrainingDataError(
            f"target column {target!r} is not in the dataset; columns: {columns}"
        )
    features = list(feature_columns or default_features(frame, target))
    missing = [c for c in features if c not in columns]
    if missing:
        raise TrainingDataError(
            f"feature columns {missing} are not in the dataset; columns: {columns}"
        )
    if not features:
        raise TrainingDataError(f"no feature columns: the dataset only has {columns}")
    if target in features:
        raise TrainingDataError(f"the target {target!r} cannot also be a feature")
    text = [f"{c} ({frame[c].dtype})" for c in features if not is_numeric_dtype(frame[c])]
    if text:
        raise TrainingDataError(
            f"feature columns must be numeric, these are not: {', '.join(text)}; encode them "
            "upstream or leave them out with 'feature_columns'"
        )
    nulls = {c: int(n) for c, n in frame[[*features, target]].isna().sum().items() if n}
    if nulls:
        raise TrainingDataError(
            f"columns with missing values (count per column): {nulls}; add a not_null quality "
            "check upstream or fill them"
        )
    return frame[features], frame[target]


def key_holdout(frame: pd.DataFrame, key: str, test_size: float) -> pd.Series:
    """Which rows to hold out, decided by a stable hash of column ``key``.

    A key (a customer id, say) lands on the same side on every run and in every process, so
    a model trained on an earlier run never saw this run's holdout: the fair ground on which
    to compare a candidate with the champion.
    """
    import pandas as pd

    if key not in frame.columns:
        raise TrainingDataError(
            f"holdout_key column {key!r} is not in the dataset; columns: {list(frame.columns)}"
        )
    if frame[key].isna().any():
        raise TrainingDataError(f"holdout_key column {key!r} has missing values")
    buckets = pd.util.hash_pandas_object(frame[key], index=False) % HOLDOUT_BUCKETS
    return buckets < round(test_size * HOLDOUT_BUCKETS)


def train_model(
    frame: pd.DataFrame,
    *,
    estimator: str,
    target: str,
    hyperparameters: Mapping[str, Any] | None = None,
    feature_columns: Sequence[str] | None = None,
    test_size: float = 0.2,
    random_state: int = 42,
    holdout_key: str | None = None,
) -> TrainedModel:
    """Fit ``estimator`` on a train split and compute its holdout metrics.

    The split is seeded and random (stratified for classification) unless ``holdout_key``
    names a column, whose hash then decides each row's side (see :func:`key_holdout`).
    """
    from sklearn.model_selection import train_test_split

    model = build_estimator(estimator, hyperparameters)
    task = task_type(estimator)
    features, labels = features_and_target(frame, target, feature_columns)
    if len(frame) < 4:
        raise TrainingDataError(f"{len(frame)} rows are too few to train and hold out a test set")
    if holdout_key is not None:
        held_out = key_holdout(frame, holdout_key, test_size)
        x_train, x_test = features[~held_out], features[held_out]
        y_train, y_test = labels[~held_out], labels[held_out]
        if x_train.empty or x_test.empty:
            side = "train" if x_train.empty else "holdout"
            raise TrainingDataError(
                f"holdout_key {holdout_key!r} leaves the {side} split empty: "
                f"{frame[holdout_key].nunique()} distinct keys are too few for test_size "
                f"{test_size}"
            )
    else:
        counts = labels.value_counts()
        stratify = labels if task == "classification" and counts.min() >= 2 else None
        x_train, x_test, y_train, y_test = train_test_split(
            features, labels, test_size=test_size, random_state=random_state, stratify=stratify
        )
    if task == "classification" and y_train.nunique() < 2:
        raise TrainingDataError(f"target {target!r} has a single class: nothing to classify")
    model.fit(x_train, y_train)
    return TrainedModel(
        model=model,
        estimator=estimator,
        task=task,
        metrics=compute_metrics(model, x_test, y_test, task),
        feature_columns=list(features.columns),
        train_rows=len(x_train),
        test_rows=len(x_test),
        input_example=x_train.head(INPUT_EXAMPLE_ROWS),
        holdout_index=x_test.index,
    )
