"""Fraud features: one row per card transaction, comparable across batches.

Input columns: transaction_id, card_id, amount, merchant_category, country, event_time; an
``is_fraud`` label column is kept when present. A card's home country comes from a
``home_country`` column, or from a second input (``job_params.cards``, default ``cards``) with
card_id and home_country; without either, ``is_foreign`` is 0. Merchant categories become fixed
one-hot columns (``mc_<category>``, anything else ``mc_other``), so two batches always have the
same columns.

Params: ``input`` (the transactions input when there are several), ``cards``,
``merchant_categories`` (the one-hot vocabulary).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airloom.spark.jobs import JobInputError, pick_input, require_columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

NAME = "transaction_features"
TRANSACTION_COLUMNS = (
    "transaction_id",
    "card_id",
    "amount",
    "merchant_category",
    "country",
    "event_time",
)
MERCHANT_CATEGORIES = ("grocery", "restaurants", "travel", "electronics", "fuel", "online")
NIGHT_HOURS = (0, 5)  # inclusive: card fraud clusters at night


def run(
    spark: SparkSession, inputs: Mapping[str, DataFrame], params: Mapping[str, Any]
) -> DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    cards_name = params.get("cards", "cards")
    candidates = {name: frame for name, frame in inputs.items() if name != cards_name}
    transactions = pick_input(candidates, params, NAME)
    require_columns(transactions, TRANSACTION_COLUMNS, NAME)
    if "home_country" not in transactions.columns and cards_name in inputs:
        cards = inputs[cards_name]
        require_columns(cards, ("card_id", "home_country"), NAME)
        transactions = transactions.join(
            cards.select("card_id", "home_country").dropDuplicates(["card_id"]), "card_id", "left"
        )
    if "home_country" in transactions.columns:
        is_foreign = F.coalesce(F.col("country") != F.col("home_country"), F.lit(False))
    else:
        is_foreign = F.lit(False)

    card = Window.partitionBy("card_id")
    deviation = F.stddev_pop("amount").over(card)
    zscore = F.when(deviation > 0, (F.col("amount") - F.avg("amount").over(card)) / deviation)
    hour = F.hour("event_time")
    category = F.lower(F.trim(F.col("merchant_category")))
    vocabulary = [
        name
        for name in map(_column_safe, params.get("merchant_categories", MERCHANT_CATEGORIES))
        if name != "other"  # mc_other is always there, for everything outside the vocabulary
    ]
    known = F.coalesce(category.isin(vocabulary), F.lit(False))
    one_hot = [
        F.coalesce(category == name, F.lit(False)).cast("int").alias(f"mc_{name}")
        for name in vocabulary
    ] + [(~known).cast("int").alias("mc_other")]
    label = (
        [F.col("is_fraud").cast("int").alias("is_fraud")]
        if "is_fraud" in transactions.columns
        else []
    )
    return transactions.select(
        "transaction_id",
        "card_id",
        "event_time",
        F.col("amount").cast("double").alias("amount"),
        F.coalesce(zscore, F.lit(0.0)).alias("amount_zscore"),
        F.count("*").over(card).alias("card_txn_count"),
        is_foreign.cast("int").alias("is_foreign"),
        hour.alias("hour_of_day"),
        hour.between(*NIGHT_HOURS).cast("int").alias("is_night"),
        *one_hot,
        *label,
    )


def _column_safe(category: Any) -> str:
    name = str(category).strip().lower()
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise JobInputError(
            f"job {NAME!r}: merchant category {category!r} must be lower-case letters, digits "
            "or '_' (it becomes a column name)"
        )
    return name
