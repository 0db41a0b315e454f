"""Training on a feature table: seeded splits, holdout metrics, and clear data errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from airloom.ml.training import TrainingDataError, train_model


def churn(rows: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tenure = rng.uniform(0, 60, rows)
    spend = rng.uniform(10, 100, rows)
    churned = (tenure < 20) ^ (rng.uniform(size=rows) < 0.1)
    return pd.DataFrame(
        {"tenure": tenure, "spend": spend, "churned": churned.astype(int), "_ingested": 1}
    )


def test_a_classifier_gets_holdout_metrics_from_a_seeded_split() -> None:
    first = train_model(churn(), estimator="logistic_regression", target="churned", random_state=3)
    again = train_model(churn(), estimator="logistic_regression", target="churned", random_state=3)
    assert first.task == "classification"
    assert set(first.metrics) == {"accuracy", "f1", "precision", "recall", "roc_auc"}
    assert first.metrics == again.metrics
    assert first.metrics["roc_auc"] > 0.8  # the label really depends on tenure
    assert first.feature_columns == ["tenure", "spend"]  # target and _columns left out
    assert (first.train_rows, first.test_rows) == (160, 40)


def test_a_regressor_reports_error_metrics() -> None:
    frame = churn()
    frame["value"] = frame["tenure"] * 3 + frame["spend"]
    trained = train_model(
        frame, estimator="linear_regression", target="value", feature_columns=["tenure", "spend"]
    )
    assert set(trained.metrics) == {"rmse", "mae", "r2"}
    assert trained.metrics["r2"] > 0.99 and trained.metrics["rmse"] < 1e-6


def with_ids(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(customer_id=[f"c{index}" for index in range(len(frame))])


def test_a_holdout_key_holds_out_the_same_customers_on_every_run() -> None:
    settings = {
        "estimator": "logistic_regression",
        "target": "churned",
        "feature_columns": ["tenure", "spend"],
        "holdout_key": "customer_id",
    }
    first_frame = with_ids(churn())
    first = train_model(first_frame, **settings)
    held = set(first_frame.loc[first.holdout_index, "customer_id"])
    assert first.test_rows == len(held) and 20 <= len(held) <= 60  # about one in five
    assert first.train_rows + first.test_rows == 200

    # A later run over more customers, read in another order, holds the same ones out again.
    later_frame = with_ids(churn(rows=400, seed=1)).sample(frac=1, random_state=5)
    later = train_model(later_frame, **settings)
    later_held = set(later_frame.loc[later.holdout_index, "customer_id"])
    assert later_held & set(first_frame["customer_id"]) == held
    assert later.metrics["roc_auc"] > 0.8


@pytest.mark.parametrize(
    ("change", "kwargs", "complaint"),
    [
        (lambda f: f, {"target": "label"}, "target column 'label' is not in the dataset"),
        (lambda f: f, {"feature_columns": ["age"]}, "feature columns ['age'] are not in"),
        (lambda f: f.assign(plan="gold"), {}, "must be numeric, these are not: plan (object)"),
        (lambda f: f.assign(spend=np.nan), {}, "missing values (count per column): {'spend': 200}"),
        (lambda f: f.assign(churned=1), {}, "single class"),
        (lambda f: f, {"holdout_key": "customer_id"}, "holdout_key column 'customer_id' is not"),
        (
            lambda f: f.assign(customer_id="c1"),
            {"holdout_key": "customer_id", "feature_columns": ["tenure", "spend"]},
            "1 distinct keys are too few for test_size 0.2",
        ),
    ],
)
def test_unusable_data_is_a_clear_error(change, kwargs: dict, complaint: str) -> None:
    arguments = {"estimator": "logistic_regression", "target": "churned"} | kwargs
    with pytest.raises(TrainingDataError) as error:
        train_model(change(churn()), **arguments)
    assert complaint in str(error.value)
