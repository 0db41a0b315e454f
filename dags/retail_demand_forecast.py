"""Retail demand forecast: point-of-sale files to next-day demand per store and product.

Daily sales exports land as CSV files in the lake (``airloom demo-data`` writes realistic ones
under ``landing/retail_sales/``). Spark builds lag and rolling features per store and product,
a quality gate checks them, a random-forest regressor learns units sold from them, and every
store-product-day is scored with the model just trained, for planners to compare.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG

from airloom.operators.batch_score import BatchScoreOperator
from airloom.operators.files import FileIngestOperator
from airloom.operators.mlflow import TrainModelOperator
from airloom.operators.quality import DataQualityOperator
from airloom.operators.spark import SparkTransformOperator

FEATURES = ["lag_1", "lag_7", "rolling_mean_7", "day_of_week", "month", "promo", "price"]

with DAG(
    dag_id="retail_demand_forecast",
    description="Sales files → Spark features → quality gate → regressor → batch forecast",
    doc_md=__doc__,
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["airloom", "retail", "ml"],
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
) as dag:
    sales = FileIngestOperator(
        task_id="ingest_sales",
        source="lake://landing/retail_sales/*.csv",
        format="csv",
        dataset="retail/daily_sales",
        execution_timeout=timedelta(minutes=10),
    )
    features = SparkTransformOperator(
        task_id="build_features",
        inputs={"tables": [sales.port("table")]},
        job="demand_features",
        output_dataset="retail/demand_features",
        execution_timeout=timedelta(minutes=20),
    )
    checked = DataQualityOperator(
        task_id="check_features",
        inputs={"table": features.port("table")},
        checks=[
            {"check": "not_null", "columns": ["store_id", "product_id", "date", *FEATURES]},
            {"check": "unique", "columns": ["store_id", "product_id", "date"]},
            {"check": "range", "column": "units_sold", "min": 0},
            {"check": "range", "column": "price", "min": 0, "inclusive": False},
            {"check": "allowed_values", "column": "promo", "values": [0, 1]},
            {"check": "row_count", "min": 100},
        ],
        output_dataset="retail/demand_features_validated",
        execution_timeout=timedelta(minutes=10),
    )
    model = TrainModelOperator(
        task_id="train",
        inputs={"table": checked.port("table")},
        estimator="random_forest_regressor",
        hyperparameters={"n_estimators": 100, "max_depth": 10, "n_jobs": 1},
        target="units_sold",
        feature_columns=FEATURES,
        registered_model_name="retail_demand",
        listing={
            "description": "Forecasts units sold per store, product and day from recent sales "
            "(yesterday, a week ago, the 7-day average), day of week, month, price and "
            "promotions, for store replenishment and planning.",
            "task": "forecasting",
            "industry": "retail",
            "licence": "Apache-2.0",
            "owner": "Merchandising analytics",
        },
        execution_timeout=timedelta(minutes=15),
    )
    BatchScoreOperator(
        task_id="forecast",
        inputs={"table": checked.port("table"), "model": model.port("model")},
        feature_columns=FEATURES,
        prediction_column="forecast_units",
        output_dataset="retail/demand_forecast",
        execution_timeout=timedelta(minutes=15),
    )
