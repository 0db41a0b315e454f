"""Score a lake dataset with a registered MLflow model, in Spark (``mlflow.pyfunc.spark_udf``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from airloom.spark.output import OVERWRITE, write_dataset

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


class ModelNotFoundError(LookupError):
    """The model (or its version or alias) is not in the registry."""


class ScoringInputError(ValueError):
    """The dataset does not have what the model needs."""


def model_features(
    model_uri: str, *, requested: Sequence[str] | None, label: str, registry: str
) -> list[str]:
    """The columns to feed the model: ``requested``, else its signature's inputs.

    Looks the model up either way, so a missing model, version or alias fails here, clearly.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        info = mlflow.models.get_model_info(model_uri)
    except MlflowException as exc:
        raise ModelNotFoundError(
            f"{label}: model {model_uri!r} was not found in the MLflow registry at {registry}: "
            f"{exc.message}"
        ) from None
    if requested:
        return list(requested)
    if info.signature is not None and info.signature.inputs is not None:
        return list(info.signature.inputs.input_names())
    raise ScoringInputError(
        f"{label}: model {model_uri!r} has no signature naming its inputs; set feature_columns"
    )


def score_dataset(
    spark: SparkSession,
    *,
    table_uri: str,
    model_uri: str,
    output_uri: str,
    features: Sequence[str],
    prediction_column: str,
    result_type: str,
    label: str,
    env_manager: str = "local",
) -> int:
    """Write ``table_uri`` plus a ``prediction_column`` to ``output_uri``; return the row count.

    The model runs in Spark's Python workers; ``env_manager='local'`` means they use this
    environment's packages (nothing is installed at run time).
    """
    import mlflow.pyfunc
    from pyspark.sql import functions as F

    table = spark.read.parquet(table_uri)
    missing = [name for name in features if name not in table.columns]
    if missing:
        raise ScoringInputError(
            f"{label}: dataset {table_uri} lacks feature column(s) {missing} that model "
            f"{model_uri!r} needs; it has {sorted(table.columns)}"
        )
    predict = mlflow.pyfunc.spark_udf(
        spark, model_uri, result_type=result_type, env_manager=env_manager
    )
    scored = table.withColumn(prediction_column, predict(F.struct(*[F.col(f) for f in features])))
    write_dataset(scored, output_uri, mode=OVERWRITE)
    return spark.read.parquet(output_uri).count()
