"""Validate one registered model version before it may be deployed.

Conf: ``{"model_name": "churn", "version": 3, "champion_alias": "champion",
"thresholds": {"roc_auc": {"goal": "maximize", "tolerance": 0.01, "minimum": 0.7}}}``.

Checks: a signature is present, the input example predicts, the outputs match the signature,
the model loads and predicts in a clean interpreter, and its metrics meet the thresholds
against the current champion. The report lands on the version as the
``airloom.validation.status`` / ``.report`` / ``.run_id`` tags; the run fails when the version
does, so a red run in Airflow means "do not deploy".
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Param

VALIDATION_PARAMS = {
    "model_name": Param(type="string", minLength=1, description="Registered model name"),
    "version": Param(type="integer", minimum=1, description="Model version to validate"),
    "champion_alias": Param("champion", type="string", description="Alias to compare against"),
    "thresholds": Param({}, type="object", description="Per-metric rules (see the DAG doc)"),
}


@contextlib.contextmanager
def _model(conf: dict[str, Any]) -> Iterator[Path]:
    from airloom.hooks.mlflow import MlflowHook
    from airloom.ml.registry import ModelRef, download_model

    hook = MlflowHook()
    with hook.tracking(), tempfile.TemporaryDirectory(prefix="airloom-validate-") as folder:
        ref = ModelRef(conf["model_name"], conf["version"])
        yield download_model(hook.client(), ref, Path(folder))


def _metric_thresholds(conf: dict[str, Any]) -> Any:
    """The candidate's metrics against the thresholds and the current champion's."""
    from airloom.hooks.mlflow import MlflowHook
    from airloom.ml.registry import ModelRef, alias_version, get_version, run_metrics
    from airloom.model_checks.validation import ValidationConf, check_thresholds

    settings = ValidationConf.model_validate(conf)
    client = MlflowHook().client()
    candidate = get_version(client, ModelRef(settings.model_name, settings.version))
    champion_version = alias_version(client, settings.model_name, settings.champion_alias)
    champion = None
    if champion_version is not None:
        ref = ModelRef(settings.model_name, champion_version)
        champion = run_metrics(client, get_version(client, ref))
    label = f"{settings.champion_alias} (version {champion_version})"
    return check_thresholds(run_metrics(client, candidate), champion, label, settings.thresholds)


def resolve(params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check the conf and that the version exists, before anything is downloaded."""
    from airloom.hooks.mlflow import MlflowHook
    from airloom.ml.registry import ModelRef, get_version
    from airloom.model_checks.validation import ValidationConf

    conf = ValidationConf.model_validate(dict(params or {}))
    get_version(MlflowHook().client(), ModelRef(conf.model_name, conf.version))
    return conf.model_dump(mode="json")


def check_model(conf: dict[str, Any]) -> list[dict[str, Any]]:
    """The quick checks, on one download: signature, predictions, metric thresholds."""
    from airloom.model_checks.validation import check_predictions, check_signature

    with _model(conf) as model_dir:
        results = [check_signature(model_dir), *check_predictions(model_dir)]
    return [result.to_dict() for result in results] + [_metric_thresholds(conf).to_dict()]


def check_fresh_environment(conf: dict[str, Any]) -> list[dict[str, Any]]:
    """The slow check, beside the quick ones: load and predict in a clean interpreter."""
    from airloom.model_checks.fresh_environment import check_fresh_environment as check

    with _model(conf) as model_dir:
        return [check(model_dir, conf["fresh_environment_timeout"]).to_dict()]


def record(
    conf: dict[str, Any] | None,
    quick: list[dict[str, Any]] | None,
    fresh_environment: list[dict[str, Any]] | None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Write the report to the version's tags; fail the run if the version failed."""
    from airflow.sdk.exceptions import AirflowFailException

    from airloom import model_tags
    from airloom.hooks.mlflow import MlflowHook
    from airloom.ml.registry import ModelRef, alias_version, write_tags
    from airloom.model_checks.validation import CheckResult, ValidationConf, build_report

    if conf is None:
        raise AirflowFailException("the conf or the model version is invalid; see `resolve`")
    settings = ValidationConf.model_validate(conf)
    groups = (quick, fresh_environment)
    # A check task that crashed left no result: build_report marks it as not run.
    checks = [CheckResult(**item) for group in groups if group for item in group]
    client = MlflowHook().client()
    champion = alias_version(client, settings.model_name, settings.champion_alias)
    report = build_report(settings, checks, champion, run_id)
    write_tags(
        client,
        ModelRef(settings.model_name, settings.version),
        {
            model_tags.VALIDATION_REPORT: report,
            model_tags.VALIDATION_RUN_ID: run_id,
            model_tags.VALIDATION_STATUS: report["status"],
        },
    )
    if report["status"] != "passed":
        failed = [check["name"] for check in report["checks"] if not check["passed"]]
        raise AirflowFailException(f"validation failed: {', '.join(failed)}")
    return report


# PythonOperator rather than @task: at every parse a task copies the DAG's Params once per
# class in its operator's hierarchy, twice for a PythonOperator, four times for @task.
with DAG(
    dag_id="model_validation",
    schedule=None,
    # Started on demand by the marketplace: paused, its runs would wait in the queue forever.
    is_paused_upon_creation=False,
    catchup=False,
    max_active_runs=4,
    # A deployment's rollout waits (deferred) for the run it starts: it ends by then, failed
    # if need be, so no rollout waits forever. Longer than its tasks' timeouts together.
    dagrun_timeout=timedelta(minutes=45),
    params=VALIDATION_PARAMS,
    tags=["airloom", "marketplace"],
    default_args={"retries": 0},
    doc_md=__doc__,
) as dag:
    conf = PythonOperator(
        task_id="resolve", python_callable=resolve, execution_timeout=timedelta(minutes=2)
    ).output
    quick = PythonOperator(
        task_id="check_model",
        python_callable=check_model,
        op_args=[conf],
        execution_timeout=timedelta(minutes=10),
    )
    fresh_environment = PythonOperator(
        task_id="check_fresh_environment",
        python_callable=check_fresh_environment,
        op_args=[conf],
        execution_timeout=timedelta(minutes=15),
    )
    PythonOperator(
        task_id="record",
        python_callable=record,
        op_args=[conf, quick.output, fresh_environment.output],
        trigger_rule="all_done",
        execution_timeout=timedelta(minutes=2),
    )
