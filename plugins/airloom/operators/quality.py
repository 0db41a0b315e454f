"""The data-quality gate: declarative checks over a lake dataset, reported to MLflow.

Rows failing a ``fail`` check are quarantined (with the names of the checks they failed) and
the task stops once the report is logged; rows failing only ``warn`` checks go on downstream.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from airflow.sdk import Context
from pydantic import Field

from airloom import model_tags
from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.resources import DatasetRef, ExperimentRef, PlatformConnection
from airloom.connections import LAKE_CONN_ID, MLFLOW_CONN_ID
from airloom.lake import DATASET_NAME
from airloom.operators.base import AirloomOperator
from airloom.quality.checks import CheckList

DatasetName = Annotated[DatasetRef, Field(pattern=DATASET_NAME.pattern)]
FAILED_CHECKS_COLUMN = "_failed_checks"
QUARANTINED_BY_COLUMN = "_quarantined_by_run"
REPORT_FOLDER = "_quality"  # inside the validated dataset; readers skip '_' folders
VALIDATED_FILE = "validated"  # one file, replaced atomically: the latest passing validation


class QualityGateParams(NodeParams):
    checks: CheckList = Field(description="The checks, each 'warn' or 'fail'.")
    output_dataset: DatasetName | None = Field(
        default=None, description="Where the validated rows go; default '<input>_validated'."
    )
    quarantine_dataset: DatasetName | None = Field(
        default=None, description="Where failing rows go; default '<input>_quarantine'."
    )
    experiment: ExperimentRef = "airloom-quality"
    mlflow_conn_id: PlatformConnection = MLFLOW_CONN_ID
    lake_conn_id: PlatformConnection = LAKE_CONN_ID


def run_file_stem(run_id: str) -> str:
    """A file name for one Airflow run's output: a retry rewrites the same file."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", run_id).strip("_") or "run"


def dataset_name_in_lake(uri: str, lake_conn_id: str) -> str | None:
    """The name of the dataset at ``uri`` (its path under the lake root), or None if outside."""
    from airloom.lake import lake_root

    root = str(lake_root(lake_conn_id)).rstrip("/")
    uri = str(uri).rstrip("/")
    if "://" not in uri:
        uri = f"file://{uri}"
    return uri[len(root) + 1 :] if uri.startswith(f"{root}/") else None


def dataset_beside(uri: str, lake_conn_id: str, suffix: str, instead: str) -> str:
    """The name of a dataset beside the one at ``uri``: its name plus ``suffix``.

    :param instead: the param(s) to set when ``uri`` is outside the lake, for the error.
    """
    name = dataset_name_in_lake(uri, lake_conn_id)
    if name is None:
        raise ValueError(
            f"input {uri} is not under the lake root of connection {lake_conn_id!r}: set {instead}"
        )
    return f"{name}{suffix}"


def run_tags(context: Context, dataset_uri: str) -> dict[str, str]:
    """What produced an MLflow run or model version: workflow, Airflow run, task, dataset."""
    return {
        model_tags.WORKFLOW: context["dag"].dag_id,
        model_tags.AIRFLOW_RUN_ID: context["run_id"],
        model_tags.AIRFLOW_TASK_ID: context["task"].task_id,
        model_tags.DATASET: dataset_uri,
    }


def write_text_atomically(uri: str, text: str) -> None:
    """Write a small text file so no reader sees half of it (rename locally; one PUT on S3)."""
    from pyarrow import fs

    filesystem, path = fs.FileSystem.from_uri(uri)
    folder = path.rsplit("/", 1)[0]
    filesystem.create_dir(folder, recursive=True)
    target = path if filesystem.type_name != "local" else f"{folder}/.{uuid.uuid4().hex}.tmp"
    with filesystem.open_output_stream(target) as stream:
        stream.write(text.encode())
    if target != path:
        filesystem.move(target, path)


class DataQualityOperator(AirloomOperator):
    """Check a dataset against declarative rules before anything downstream uses it.

    :param checks: the checks, each ``warn`` or ``fail``.
    :param output_dataset: dataset name for the validated rows.
    :param quarantine_dataset: dataset name for rows failing a ``fail`` check.
    :param experiment: MLflow experiment the report is logged to.
    """

    node_type = "quality_gate"
    category = "quality"
    description = (
        "Checks a dataset against declarative rules (schema, not-null, unique, ranges, allowed "
        "values, regex, row count, freshness), each marked warn or fail. The report is logged "
        "to MLflow as JSON and HTML; rows failing a 'fail' check are moved to a quarantine "
        "dataset with the checks they failed, and the run stops. Rows that pass, or fail only "
        "'warn' checks, go on as the validated dataset."
    )
    params_model = QualityGateParams
    input_ports = (Port("table", PortType.TABLE, "The dataset to check."),)
    output_ports = (
        Port("table", PortType.TABLE, "The validated rows."),
        Port("report", PortType.REPORT, "The quality report in MLflow (runs:/…/report.json)."),
    )
    ui_color = "#fbe3c2"

    dataset_params = ("output_dataset", "quarantine_dataset")

    def run(
        self, params: QualityGateParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        import pyarrow as pa
        from airflow.sdk.exceptions import AirflowFailException

        from airloom.datasets import read_table, write_table
        from airloom.lake import dataset_path
        from airloom.quality.engine import evaluate

        input_uri = str(inputs["table"])
        table = read_table(input_uri)
        if table.num_columns == 0:
            raise ValueError(f"input dataset {input_uri} has no files: nothing to check")
        output_name, quarantine_name = self._dataset_names(params, input_uri)
        output_uri = str(dataset_path(output_name, params.lake_conn_id))
        stem = run_file_stem(context["run_id"])

        frame = table.to_pandas(coerce_temporal_nanoseconds=True)
        now = datetime.now(UTC)
        logical_date = context.get("logical_date") or getattr(context["dag_run"], "run_after", now)
        evaluation = evaluate(
            frame, params.checks, dataset=input_uri, logical_date=logical_date, now=now
        )
        report = evaluation.report
        report.context = {"workflow": context["dag"].dag_id, "run_id": context["run_id"]}

        if evaluation.quarantined_rows:
            rows = evaluation.quarantined_rows
            quarantined = table.take(pa.array(rows, pa.int64()))
            quarantined = quarantined.append_column(
                FAILED_CHECKS_COLUMN,
                pa.array([evaluation.row_failures[row] for row in rows], pa.list_(pa.string())),
            ).append_column(QUARANTINED_BY_COLUMN, pa.array([context["run_id"]] * len(rows)))
            quarantine_uri = str(dataset_path(quarantine_name, params.lake_conn_id))
            write_table(quarantined, quarantine_uri, stem)
            self.log.info("Quarantined %d rows in %s", len(rows), quarantine_uri)

        report_ref = self._log_report(params, context, report, frame, input_uri, output_uri, stem)
        if report.status == "failed":
            raise AirflowFailException(f"{report.summary()}\nReport: {report_ref}")
        self.log.info("%s\nReport: %s", report.summary(), report_ref)

        keep = sorted(set(range(table.num_rows)) - set(evaluation.quarantined_rows))
        write_table(table.take(pa.array(keep, pa.int64())), output_uri, VALIDATED_FILE)
        return {"table": output_uri, "report": report_ref}

    def _dataset_names(self, params: QualityGateParams, input_uri: str) -> tuple[str, str]:
        instead = "output_dataset and quarantine_dataset"
        return (
            params.output_dataset
            or dataset_beside(input_uri, params.lake_conn_id, "_validated", instead),
            params.quarantine_dataset
            or dataset_beside(input_uri, params.lake_conn_id, "_quarantine", instead),
        )

    def _log_report(
        self,
        params: QualityGateParams,
        context: Context,
        report: Any,
        frame: Any,
        input_uri: str,
        output_uri: str,
        stem: str,
    ) -> str:
        """Log the report to MLflow (and next to the dataset in the lake); return its URI."""
        import mlflow
        import mlflow.data

        from airloom.hooks.mlflow import MlflowHook

        hook = MlflowHook(params.mlflow_conn_id)
        report_json, report_html = report.to_json(), report.to_html()
        with hook.tracking():
            run = mlflow.start_run(
                experiment_id=hook.experiment_id(params.experiment),
                run_name=f"{context['dag'].dag_id}.{context['task'].task_id}",
                tags=run_tags(context, input_uri) | {"airloom.quality.status": report.status},
            )
            status = "FAILED" if report.status == "failed" else "FINISHED"
            try:
                dataset = mlflow.data.from_pandas(frame, source=input_uri, name=input_uri)
                mlflow.log_input(dataset, context="validation")
                mlflow.log_metrics({f"quality.{k}": v for k, v in report.counts.items()})
                mlflow.log_text(report_json, "quality/report.json")
                mlflow.log_text(report_html, "quality/report.html")
            except BaseException:
                status = "FAILED"
                raise
            finally:
                mlflow.end_run(status)
        for extension, text in (("json", report_json), ("html", report_html)):
            write_text_atomically(f"{output_uri}/{REPORT_FOLDER}/{stem}.{extension}", text)
        return f"runs:/{run.info.run_id}/quality/report.json"
