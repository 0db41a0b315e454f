"""MLflow operators: train and register a model, evaluate it against the champion.

Models move through the registry by alias: a version that passes evaluation becomes the
``challenger``; deploying it (``airloom.operators.deploy``) makes it the ``champion``. Every
step tags the version with the workflow, Airflow run and dataset that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from airflow.sdk import Context
from pydantic import Field, ValidationInfo, field_validator

from airloom import model_tags
from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.params import at_parse, field_problems
from airloom.catalog.resources import (
    DatasetRef,
    ExperimentRef,
    PlatformConnection,
    Resource,
    TagsRef,
    names,
)
from airloom.connections import LAKE_CONN_ID, MLFLOW_CONN_ID
from airloom.lake import check_dataset_name
from airloom.ml.estimators import EstimatorName
from airloom.ml.evaluation import Thresholds
from airloom.ml.listing import TASK_NEEDS, ModelListing
from airloom.operators.base import AirloomOperator
from airloom.operators.quality import dataset_beside, run_tags

ModelName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=200)]


def _run_name(context: Context) -> str:
    return f"{context['dag'].dag_id}.{context['task'].task_id}"


class TrainParams(NodeParams):
    estimator: EstimatorName = Field(description="Which scikit-learn estimator to train.")
    target: str = Field(min_length=1, description="The column to predict.")
    registered_model_name: Annotated[ModelName, names(Resource.MODEL)] = Field(
        description="Registered model to add a version to."
    )
    hyperparameters: dict[str, Any] = Field(
        default_factory=dict,
        description="Estimator parameters by name, e.g. {'C': 0.5}: each must be one of the "
        "estimator's own, of the type scikit-learn declares for it.",
    )
    feature_columns: list[str] | None = Field(
        default=None, description="Default: every column but the target and '_' columns."
    )
    test_size: float = Field(default=0.2, gt=0, lt=1, description="Share of rows held out.")
    random_state: int = Field(default=42, description="Seed of the train/test split.")
    holdout_key: str | None = Field(
        default=None,
        min_length=1,
        description="A column (e.g. customer_id) whose hash decides the held-out rows, so the "
        "same ones are held out on every run and a champion trained earlier never saw them. "
        "Default: a seeded random split.",
    )
    holdout_dataset: DatasetRef | None = Field(
        default=None,
        description="Lake dataset for the held-out rows (output port holdout), e.g. for an "
        "evaluate node. Default: the input dataset's name + '_holdout'.",
    )
    experiment: ExperimentRef = "airloom-training"
    tags: TagsRef = Field(default_factory=dict, description="Extra tags for the version.")
    listing: ModelListing = Field(
        default_factory=ModelListing,
        description="What the model's marketplace listing says: description, task, industry, "
        "licence and owner, written on the registered model. Each one left out stays as it is.",
    )
    mlflow_conn_id: PlatformConnection = MLFLOW_CONN_ID
    lake_conn_id: PlatformConnection = Field(default=LAKE_CONN_ID, description="Lake connection.")

    @field_validator("holdout_dataset")
    @classmethod
    def _dataset_name(cls, value: str | None) -> str | None:
        return None if value is None else check_dataset_name(value)

    @field_validator("hyperparameters")
    @classmethod
    def _estimator_takes_them(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        estimator = info.data.get("estimator")
        if not value or estimator is None or at_parse(info):
            return value  # at parse: scikit-learn is imported only by the task, which checks
        from airloom.ml.estimators import hyperparameter_problems

        problems = hyperparameter_problems(estimator, value)
        if problems:
            raise field_problems(problems)
        return value

    @field_validator("listing")
    @classmethod
    def _task_fits_estimator(cls, value: ModelListing, info: ValidationInfo) -> ModelListing:
        estimator = info.data.get("estimator")
        needs = TASK_NEEDS.get(value.task or "")
        if needs is None or estimator is None or at_parse(info):
            return value  # at parse: scikit-learn is imported only by the task, which checks
        from airloom.ml.estimators import task_type

        kind = task_type(estimator)
        if kind != needs:
            raise field_problems(
                {"task": f"{value.task!r} needs a {needs} estimator; {estimator!r} is {kind}"}
            )
        return value


class TrainModelOperator(AirloomOperator):
    """Train an allow-listed scikit-learn estimator and register the result in MLflow.

    :param estimator: estimator name from the allow-list.
    :param target: column to predict.
    :param registered_model_name: registered model to add a version to.
    :param hyperparameters: estimator parameters by name.
    :param listing: the registered model's marketplace listing fields (only those given are
        written).
    """

    node_type = "train"
    category = "ml"
    description = (
        "Trains a scikit-learn estimator chosen from an allow-list on a feature dataset, "
        "scores it on a holdout split (seeded, or decided by a key column so the same rows "
        "are held out on every run), and logs parameters, metrics, signature, an input "
        "example and the input dataset to MLflow. The model is registered as a new version "
        "tagged with the workflow, run and dataset that produced it, and its marketplace "
        "listing (description, task, industry, licence, owner) is set on the registered "
        "model; the held-out rows go to the lake for an evaluate node."
    )
    params_model = TrainParams
    input_ports = (Port("table", PortType.TABLE, "Features and the target column."),)
    output_ports = (
        Port("model", PortType.MODEL, "The new version: models:/<name>/<version>."),
        Port("holdout", PortType.TABLE, "The rows held out from training."),
    )
    ui_color = "#d5e8d4"

    dataset_params = ("holdout_dataset",)
    model_params = ("registered_model_name",)

    def run(self, params: TrainParams, inputs: Mapping[str, Any], context: Context) -> dict:
        from airloom.datasets import read_table
        from airloom.hooks.mlflow import MlflowHook
        from airloom.ml.node_training import train_and_register

        dataset_uri = str(inputs["table"])
        registered = train_and_register(
            params,
            read_table(dataset_uri).to_pandas(),
            dataset_uri=dataset_uri,
            holdout_uri=self.holdout_uri(params, dataset_uri),
            lineage=run_tags(context, dataset_uri),
            run_name=_run_name(context),
            server=MlflowHook(params.mlflow_conn_id).server(),
            tenant=self.tenant_scope.tenant if self.tenant_scope is not None else None,
        )
        from airloom.activity.models import model_registered

        model_registered(context, registered.model_name, registered.version)
        return registered.outputs

    def holdout_uri(self, params: TrainParams, input_uri: str) -> str:
        """Where the held-out rows go: the named dataset, or one beside the input's."""
        from airloom.lake import dataset_path

        name = params.holdout_dataset or dataset_beside(
            input_uri, params.lake_conn_id, "_holdout", "holdout_dataset"
        )
        return str(dataset_path(name, params.lake_conn_id))


class EvaluateParams(NodeParams):
    target: str = Field(min_length=1, description="The column the model predicts.")
    thresholds: Thresholds = Field(
        description="Per metric: 'min'/'max' (absolute) and 'min_relative_to_champion' "
        "(e.g. -0.02 tolerates 2 % worse than the champion)."
    )
    experiment: ExperimentRef = "airloom-evaluation"
    mlflow_conn_id: PlatformConnection = MLFLOW_CONN_ID


class EvaluateModelOperator(AirloomOperator):
    """Compare a candidate version with the champion on a holdout dataset.

    :param target: column the model predicts.
    :param thresholds: per-metric thresholds.
    """

    node_type = "evaluate"
    category = "ml"
    description = (
        "Scores a candidate model version and the current champion on the same holdout "
        "dataset and checks each metric against absolute thresholds and a tolerance relative "
        "to the champion. A passing candidate becomes the 'challenger'; a failing one stops "
        "the run with a report of every metric. The report is logged to MLflow."
    )
    params_model = EvaluateParams
    input_ports = (
        Port("model", PortType.MODEL, "The candidate version."),
        Port("table", PortType.TABLE, "The holdout dataset, with the target column."),
    )
    output_ports = (
        Port("model", PortType.MODEL, "The candidate, passed through."),
        Port("report", PortType.REPORT, "The evaluation report in MLflow."),
    )
    ui_color = "#d5e8d4"

    def run(self, params: EvaluateParams, inputs: Mapping[str, Any], context: Context) -> dict:
        import mlflow
        import mlflow.data
        from airflow.sdk.exceptions import AirflowFailException

        from airloom.datasets import read_table
        from airloom.hooks.mlflow import MlflowHook
        from airloom.ml.evaluation import compare, score_version
        from airloom.ml.registry import ModelRef, get_version, version_by_alias

        candidate = ModelRef.parse(inputs["model"])
        dataset_uri = str(inputs["table"])
        holdout = read_table(dataset_uri).to_pandas()
        hook = MlflowHook(params.mlflow_conn_id)
        with hook.tracking():
            client = hook.client()
            self.require_model(client, candidate.name)
            get_version(client, candidate)
            holder = version_by_alias(client, candidate.name, model_tags.CHAMPION_ALIAS)
            champion = ModelRef(candidate.name, holder.version) if holder else None
            evaluation = compare(
                score_version(candidate, holdout, params.target),
                score_version(champion, holdout, params.target) if champion else None,
                dict(params.thresholds),
                candidate=candidate.uri,
                champion=champion.uri if champion else None,
                dataset=dataset_uri,
                rows=len(holdout),
            )
            status = "passed" if evaluation.passed else "failed"
            with mlflow.start_run(
                experiment_id=hook.experiment_id(params.experiment),
                run_name=_run_name(context),
                tags=run_tags(context, dataset_uri) | {model_tags.EVALUATION_STATUS: status},
            ) as run:
                mlflow.log_input(
                    mlflow.data.from_pandas(holdout, source=dataset_uri, name=dataset_uri),
                    context="evaluation",
                )
                for verdict in evaluation.verdicts:
                    mlflow.log_metric(f"candidate.{verdict.metric}", verdict.candidate)
                    if verdict.champion is not None:
                        mlflow.log_metric(f"champion.{verdict.metric}", verdict.champion)
                mlflow.log_text(evaluation.to_json(), "evaluation/report.json")
                mlflow.log_text(evaluation.to_markdown(), "evaluation/report.md")
            report = f"runs:/{run.info.run_id}/evaluation/report.json"
            for key, value in {
                model_tags.EVALUATION_STATUS: status,
                model_tags.EVALUATION_REPORT: report,
            }.items():
                client.set_model_version_tag(candidate.name, str(candidate.version), key, value)
            if evaluation.passed:
                client.set_registered_model_alias(
                    candidate.name, model_tags.CHALLENGER_ALIAS, str(candidate.version)
                )
                from airloom.activity.models import model_promoted

                model_promoted(
                    context, candidate.name, candidate.version, model_tags.CHALLENGER_ALIAS
                )
        if not evaluation.passed:
            raise AirflowFailException(f"{evaluation.summary()}\nReport: {report}")
        self.log.info("%s\nReport: %s", evaluation.summary(), report)
        return {"model": candidate.uri, "report": report}
