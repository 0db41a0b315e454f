"""A real training and evaluation run against the real MLflow sends ``model_registered`` and,
for a candidate that holds up, ``model_promoted`` (challenger), as the run's tenant's."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import pytest
from airflow.sdk import DAG

from airloom.activity import producer as activity
from airloom.activity.events import ModelPromotedEvent, ModelRegisteredEvent
from airloom.operators.mlflow import EvaluateModelOperator, TrainModelOperator
from tests.harness.airflow import run_dag_object
from tests.harness.servers import RunningServer
from tests.integration.activity.reading import new_tenant, read_events
from tests.integration.operators.ml_data import churn, write_dataset


def test_training_and_evaluation_report_the_registered_and_promoted_version(
    airflow_db: Path,
    airloom_connections: dict,
    mlflow: RunningServer,
    broker: RunningServer,
    lake: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(activity.BOOTSTRAP_ENV, broker.url)
    tenant, model = new_tenant("acme"), f"activity-churn-{uuid.uuid4().hex[:8]}"
    train_uri = write_dataset(lake, f"ml/{model}_train", churn(seed=0))
    holdout_uri = write_dataset(lake, f"ml/{model}_holdout", churn(rows=120, seed=1))
    dag_id = f"activity_models_{tenant}"
    with DAG(dag_id, schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        train = TrainModelOperator(
            task_id="train",
            inputs={"table": train_uri},
            estimator="logistic_regression",
            target="churned",
            registered_model_name=model,
        )
        EvaluateModelOperator(
            task_id="evaluate",
            inputs={"model": train.port("model"), "table": holdout_uri},
            target="churned",
            thresholds={"roc_auc": {"min": 0.6}},
        )
    # As the marketplace starts a built-in DAG for a tenant: the conf names it.
    result = run_dag_object(dag, conf={"tenant": tenant})
    assert set(result.task_states.values()) == {"success"}, result.task_states

    changes = read_events(
        broker.url,
        lambda e: isinstance(e, ModelRegisteredEvent | ModelPromotedEvent) and e.model == model,
        count=2,
    )
    registered, promoted = changes
    assert isinstance(registered, ModelRegisteredEvent)
    assert (registered.tenant, registered.model_version, registered.workflow) == (tenant, 1, dag_id)
    assert isinstance(promoted, ModelPromotedEvent)
    assert (promoted.tenant, promoted.model_version, promoted.alias) == (tenant, 1, "challenger")
