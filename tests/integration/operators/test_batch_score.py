"""batch_score: a model registered on the real MLflow server scores a lake dataset in Spark."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from airflow.sdk import DAG

from airloom.catalog import NodeConfigError
from airloom.datasets import read_table, write_table
from airloom.operators.batch_score import BatchScoreOperator
from tests.harness.airflow import run_dag_object
from tests.harness.spark import use_local_spark

use_local_spark()

FEATURES = ["tenure_months", "monthly_spend", "support_tickets"]


def _customers(count: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id": [f"c{n}" for n in range(count)],
            "tenure_months": rng.integers(1, 60, count).astype("float64"),
            "monthly_spend": rng.uniform(5, 200, count),
            "support_tickets": rng.integers(0, 8, count).astype("float64"),
        }
    )


@pytest.fixture(scope="module")
def registered_model(mlflow):
    """A tiny scikit-learn model, logged and registered with MLflow's own API."""
    import mlflow as mlflow_api
    from mlflow.models import infer_signature
    from sklearn.linear_model import LinearRegression

    train = _customers(60, seed=1)
    target = 0.5 * train["tenure_months"] - 0.1 * train["monthly_spend"] + train["support_tickets"]
    model = LinearRegression().fit(train[FEATURES], target)
    name = f"churn-score-{uuid.uuid4().hex[:6]}"
    mlflow_api.set_tracking_uri(mlflow.url)
    with mlflow_api.start_run():
        mlflow_api.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(train[FEATURES], model.predict(train[FEATURES])),
            registered_model_name=name,
        )
    mlflow_api.MlflowClient(mlflow.url).set_registered_model_alias(name, "champion", "1")
    return name, model


@pytest.fixture(scope="module")
def customers_uri(lake: Path) -> str:
    uri = (lake / "crm" / "customers_to_score").as_uri()
    write_table(pa.Table.from_pandas(_customers(25, seed=2), preserve_index=False), uri, "seed")
    return uri


def test_scores_match_the_model_on_the_same_rows(
    airflow_db, airloom_connections, registered_model, customers_uri: str, lake: Path
) -> None:
    name, model = registered_model
    with DAG("batch_score_by_version", schedule=None) as dag:
        BatchScoreOperator(
            task_id="score",
            output_dataset="crm/churn_scores",
            prediction_column="churn_score",
            inputs={"table": customers_uri, "model": f"models:/{name}/1"},
        )
        BatchScoreOperator(
            task_id="score_champion",
            model_uri=f"models:/{name}@champion",
            output_dataset="crm/churn_scores_champion",
            inputs={"table": customers_uri},
        )

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    uri = (lake / "crm" / "churn_scores").as_uri()
    assert result.xcoms["score"] == {"table": uri, "rows": 25, "model": f"models:/{name}/1"}
    scored = read_table(uri).to_pandas().sort_values("customer_id").reset_index(drop=True)
    source = read_table(customers_uri).to_pandas().sort_values("customer_id")
    expected = model.predict(source[FEATURES])
    np.testing.assert_allclose(scored["churn_score"], expected, rtol=1e-9)
    assert list(scored.columns) == ["customer_id", *FEATURES, "churn_score"]
    by_alias = read_table((lake / "crm" / "churn_scores_champion").as_uri()).to_pandas()
    np.testing.assert_allclose(
        by_alias.sort_values("customer_id")["prediction"], expected, rtol=1e-9
    )


def test_missing_model_version_is_named_and_nothing_is_written(
    airflow_db, airloom_connections, registered_model, customers_uri: str, lake: Path, capfd
) -> None:
    name, _ = registered_model
    with DAG("batch_score_missing_model", schedule=None) as dag:
        BatchScoreOperator(
            task_id="score_missing",
            model_uri=f"models:/{name}/7",
            output_dataset="crm/never_written",
            inputs={"table": customers_uri},
        )
    capfd.readouterr()

    result = run_dag_object(dag)

    assert result.task_states == {"score_missing": "failed"}
    log = "".join(capfd.readouterr())
    assert f"node 'score_missing': model 'models:/{name}/7' was not found in the MLflow" in log
    assert not (lake / "crm" / "never_written").exists()


def test_a_model_must_be_connected_or_named() -> None:
    with DAG("batch_score_invalid", schedule=None), pytest.raises(NodeConfigError) as error:
        BatchScoreOperator(task_id="score", output_dataset="x", inputs={"table": "file:///t"})
    assert [p.field for p in error.value.problems] == ["inputs.model"]
    with DAG("batch_score_invalid_uri", schedule=None), pytest.raises(NodeConfigError) as error:
        BatchScoreOperator(
            task_id="score",
            model_uri="s3://somewhere/model.pkl",
            output_dataset="x",
            inputs={"table": "file:///t"},
        )
    assert [p.field for p in error.value.problems] == ["model_uri"]
