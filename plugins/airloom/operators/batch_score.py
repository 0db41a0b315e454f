"""Batch scoring: a registered MLflow model applied to a lake dataset, in Spark."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, field_validator

from airloom.catalog import NodeParams, ParamProblem, Port, PortType
from airloom.catalog.resources import (
    DatasetRef,
    ModelUriRef,
    PlatformConnection,
)
from airloom.connections import LAKE_CONN_ID, MLFLOW_CONN_ID
from airloom.lake import check_dataset_name
from airloom.ml.result_types import ABOUT as RESULT_TYPE_ABOUT
from airloom.ml.result_types import ResultType
from airloom.operators.base import AirloomOperator
from airloom.operators.spark import SPARK_CONN_ID, table_uri

MODEL_URI_PATTERN = r"^(models:/[^/@\s]+(/\d+|@[A-Za-z0-9_\-]+)|runs:/[0-9a-f]+/\S+)$"


class BatchScoreParams(NodeParams):
    model_uri: ModelUriRef | None = Field(
        default=None,
        description="Model to score with when no model is connected: models:/<name>/<version> "
        "or models:/<name>@<alias>.",
        pattern=MODEL_URI_PATTERN,
    )
    feature_columns: list[str] | None = Field(
        default=None,
        description="Columns to feed the model (default: the inputs of the model's signature).",
    )
    prediction_column: str = Field(
        default="prediction", description="Name of the column the predictions go to."
    )
    result_type: ResultType = Field(
        default="double",
        description="Spark type of the predictions; it must hold what the model predicts: "
        + "; ".join(f"{name}: {about}" for name, about in RESULT_TYPE_ABOUT.items())
        + ". Checked against the model's signature when it is known.",
    )
    output_dataset: DatasetRef = Field(description="Lake dataset to write the scored rows to.")
    env_manager: Literal["local"] = Field(
        default="local",
        description="Where the model's Python dependencies come from: this environment "
        "(nothing is installed at run time).",
    )
    mlflow_conn_id: PlatformConnection = Field(
        default=MLFLOW_CONN_ID, description="MLflow connection."
    )
    spark_conn_id: PlatformConnection = Field(
        default=SPARK_CONN_ID, description="Spark connection."
    )
    lake_conn_id: PlatformConnection = Field(default=LAKE_CONN_ID, description="Lake connection.")

    @field_validator("output_dataset")
    @classmethod
    def _dataset_name(cls, value: str) -> str:
        return check_dataset_name(value)


class BatchScoreOperator(AirloomOperator):
    """Score every row of a lake dataset with a registered MLflow model, in Spark.

    The model (``models:/name/version`` or ``models:/name@alias``) comes from the ``model``
    input or the ``model_uri`` param; it runs through ``mlflow.pyfunc.spark_udf`` and the scored
    rows (input columns plus the prediction) replace the output dataset only once complete.

    :param model_uri: model to use when the ``model`` input is not connected.
    :param feature_columns: model inputs; default the model signature's.
    :param prediction_column: the predictions' column name.
    :param result_type: Spark type of the predictions.
    :param output_dataset: lake dataset to write.
    :param mlflow_conn_id: MLflow connection (its host is the tracking URI).
    """

    node_type = "batch_score"
    category = "ml"
    description = (
        "Scores a lake dataset with a registered MLflow model in Spark (mlflow.pyfunc.spark_udf)"
        " and writes the rows with a prediction column to a new dataset. The model comes from "
        "the model input (e.g. a training or registration node) or a models:/ URI; its "
        "signature says which columns to feed it."
    )
    params_model = BatchScoreParams
    input_ports = (
        Port("table", PortType.TABLE, "The dataset to score."),
        Port("model", PortType.MODEL, "The model to score with.", required=False),
    )
    output_ports = (Port("table", PortType.TABLE, "The scored dataset."),)
    ui_color = "#d5f0dc"

    dataset_params = ("output_dataset",)

    def _input_problems(self) -> list[ParamProblem]:
        has_input = self.inputs.get("model") not in (None, "")
        has_param = self.node_params.get("model_uri") not in (None, "")
        if has_input != has_param:
            return super()._input_problems()
        message = "connect a model or set model_uri" + (", not both" if has_input else "")
        return [*super()._input_problems(), ParamProblem("inputs.model", message)]

    def run(
        self, params: BatchScoreParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.hooks.mlflow import MlflowHook
        from airloom.spark.scoring import model_features, score_dataset
        from airloom.spark.session import spark_session

        label = f"node {self.task_id!r}"
        model_uri = str(inputs.get("model") or params.model_uri).strip()
        output_uri = table_uri(params.output_dataset, params.lake_conn_id)
        hook = MlflowHook(params.mlflow_conn_id)
        with hook.tracking():
            if self.tenant_scope is not None:
                self.require_model(hook.client(), _registered_name(model_uri, label))
            features = model_features(
                model_uri,
                requested=params.feature_columns,
                label=label,
                registry=hook.registry_uri,
            )
            spark = spark_session(
                f"airloom {self.dag_id}.{self.task_id}", conn_id=params.spark_conn_id
            )
            rows = score_dataset(
                spark,
                table_uri=table_uri(inputs["table"], params.lake_conn_id),
                model_uri=model_uri,
                output_uri=output_uri,
                features=features,
                prediction_column=params.prediction_column,
                result_type=params.result_type,
                label=label,
                env_manager=params.env_manager,
            )
        self.log.info("%s: scored %d rows with %s into %s", label, rows, model_uri, output_uri)
        return {"table": output_uri, "rows": rows, "model": model_uri}


def _registered_name(model_uri: str, label: str) -> str:
    """The registered model a ``models:/`` URI names; a tenant reads nothing else."""
    from airloom.tenancy import TenantAccessDenied

    if not model_uri.startswith("models:/"):
        raise TenantAccessDenied(
            f"{label}: a workflow scores with a registered model, not {model_uri}"
        )
    return model_uri.removeprefix("models:/").split("@")[0].split("/")[0]
