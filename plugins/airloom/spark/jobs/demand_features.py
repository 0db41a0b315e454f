"""Demand features: one row per store, product and day, with the history a forecaster needs.

Input columns: store_id, product_id, date, units_sold, price, promo (bool or 0/1). Duplicate rows
for a day are summed (units) and averaged (price). Lags look back in calendar days, not rows,
so a missing day is a gap rather than a silent shift; a row without a full week of history
(``lag_1``, ``lag_7`` and seven days for ``rolling_mean_7``) is dropped. ``rolling_mean_7``
covers the seven days before the row's day, never the day itself, so the target never leaks.

Params: ``input`` names the sales input when there are several.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airloom.spark.jobs import pick_input, require_columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

NAME = "demand_features"
SALES_COLUMNS = ("store_id", "product_id", "date", "units_sold", "price", "promo")
HISTORY_DAYS = 7


def run(
    spark: SparkSession, inputs: Mapping[str, DataFrame], params: Mapping[str, Any]
) -> DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    sales = pick_input(inputs, params, NAME)
    require_columns(sales, SALES_COLUMNS, NAME)
    daily = (
        sales.withColumn("date", F.to_date("date"))
        .groupBy("store_id", "product_id", "date")
        .agg(
            F.sum("units_sold").cast("double").alias("units_sold"),
            F.avg("price").cast("double").alias("price"),
            F.max(F.col("promo").cast("int")).alias("promo"),
        )
        .withColumn("day_number", F.unix_date("date"))
    )
    series = Window.partitionBy("store_id", "product_id").orderBy("day_number")

    def days_back(first: int, last: int) -> Window:
        return series.rangeBetween(-first, -last)

    features = daily.select(
        "store_id",
        "product_id",
        "date",
        # At most one row per day, so a one-day range holds exactly that day's row (or none).
        F.max("units_sold").over(days_back(1, 1)).alias("lag_1"),
        F.max("units_sold").over(days_back(HISTORY_DAYS, HISTORY_DAYS)).alias("lag_7"),
        F.avg("units_sold").over(days_back(HISTORY_DAYS, 1)).alias("rolling_mean_7"),
        F.count("units_sold").over(days_back(HISTORY_DAYS, 1)).alias("history_days"),
        F.dayofweek("date").alias("day_of_week"),
        F.month("date").alias("month"),
        "promo",
        "price",
        "units_sold",
    )
    # Seven days of history also means lag_1 and lag_7 exist.
    return features.where(F.col("history_days") == HISTORY_DAYS).drop("history_days")
