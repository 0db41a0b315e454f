"""Named PySpark jobs the ``spark_transform`` node can run.

A job is a module here with ``run(spark, inputs, params) -> DataFrame``: ``inputs`` maps each
input dataset's name (its last path segment) to a DataFrame, ``params`` is the node's
``job_params``. Names a user types are looked up in :data:`JOBS`, never imported by dotted path,
so a workflow can run only the jobs this package ships.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    Job = Callable[[SparkSession, Mapping[str, DataFrame], Mapping[str, Any]], DataFrame]

# name -> one line for the builder's form. Each name is a module of this package.
JOBS: dict[str, str] = {
    "churn_features": "one row per customer from customer events, with the churned label",
    "demand_features": "lag and rolling features per store, product and day for demand models",
    "transaction_features": "per-transaction fraud features: amount z-score per card, foreign "
    "country, hour of day, merchant category",
}


class JobInputError(ValueError):
    """A job's inputs or params do not fit what the job needs."""


def load_job(name: str) -> Job:
    """The ``run`` function of registered job ``name``."""
    if name not in JOBS:
        raise JobInputError(f"unknown Spark job {name!r}; registered jobs: {', '.join(JOBS)}")
    module = importlib.import_module(f"{__name__}.{name}")
    return module.run


def pick_input(
    inputs: Mapping[str, DataFrame], params: Mapping[str, Any], job: str, key: str = "input"
) -> DataFrame:
    """The one input a single-input job reads: ``params[key]`` names it when there are several."""
    wanted = params.get(key)
    if wanted is not None:
        if wanted not in inputs:
            raise JobInputError(
                f"job {job!r}: job_params.{key} names input {wanted!r}, but the inputs are "
                f"{sorted(inputs)}"
            )
        return inputs[wanted]
    if len(inputs) != 1:
        raise JobInputError(
            f"job {job!r} reads one input but got {sorted(inputs)}; set job_params.{key} to "
            "the one to use"
        )
    return next(iter(inputs.values()))


def require_columns(frame: DataFrame, columns: Iterable[str], job: str) -> None:
    missing = sorted(set(columns) - set(frame.columns))
    if missing:
        raise JobInputError(
            f"job {job!r}: input lacks column(s) {missing}; it has {sorted(frame.columns)}"
        )
