"""What Studio's pages show on a fresh stack, put there through the public APIs: a workflow
from a template or a spec, a model with versions in the marketplace.

Shared by the browser tests, the screenshot script and bench/studio.py, so each sees pages
with something on them (an empty list checks and pictures little).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.stack_api import Builder
from tests.harness.stack import LocalStack, StackTenant

CREATE = """mutation($input: CreateWorkflowInput!) {
  createWorkflow(input: $input) { id currentVersion }
}"""

# The catalog polls MLflow every few seconds; a new model is listed well within this.
LISTED_SECONDS = 90.0
FEATURES = ["tenure", "monthly_spend", "support_calls", "days_since_last_event"]


def template_workflow(builder: Builder, name: str, template: str = "customer-churn") -> str:
    """A workflow made from one of the gallery's templates, as Studio makes it; its id."""
    created = builder.data(CREATE, input={"name": name, "templateId": template})
    return created["createWorkflow"]["id"]


def spec_workflow(builder: Builder, document: dict[str, Any]) -> str:
    """A workflow saved from ``document``; its id."""
    name = document["metadata"]["name"]
    created = builder.data(CREATE, input={"name": name, "spec": document})
    return created["createWorkflow"]["id"]


@contextmanager
def _tracking(uri: str) -> Iterator[Any]:
    """MLflow's fluent API aimed at the stack, put back afterwards (it is process-wide)."""
    import mlflow

    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")  # no internet: its thread races
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        yield mlflow
    finally:
        mlflow.set_tracking_uri(previous)


def register_model(stack: LocalStack, tenant: str, name: str, versions: int = 2) -> None:
    """A small scikit-learn classifier registered ``versions`` times for ``tenant``, each with
    metrics and a signature (what the model, compare and try-it pages show)."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, roc_auc_score

    from airloom import model_tags

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.uniform(0, 50, size=(300, len(FEATURES))), columns=FEATURES)
    labels = (frame["tenure"] + rng.normal(0, 5, 300) < 20).astype(int)
    with _tracking(stack.mlflow_url) as mlflow:
        from mlflow.models import infer_signature

        client = mlflow.MlflowClient(stack.mlflow_url)
        # Tagged before its first version: the catalog never lists it as another tenant's.
        tags = {
            model_tags.TENANT: tenant,
            model_tags.TASK: "classification",
            model_tags.INDUSTRY: "subscriptions",
        }
        client.create_registered_model(name, tags, "Predicts which customers will cancel.")
        experiment = client.create_experiment(f"{name}-studio")
        for number in range(versions):
            model = LogisticRegression(max_iter=200 * (number + 1), C=0.1 + number).fit(
                frame, labels
            )
            with mlflow.start_run(experiment_id=experiment, run_name=f"{name} v{number + 1}"):
                mlflow.log_metrics(
                    {
                        "roc_auc": roc_auc_score(labels, model.predict_proba(frame)[:, 1]),
                        "accuracy": accuracy_score(labels, model.predict(frame)),
                    }
                )
                mlflow.sklearn.log_model(
                    model,
                    name="model",
                    signature=infer_signature(frame, model.predict(frame)),
                    input_example=frame.head(2),
                    registered_model_name=name,
                    pip_requirements=["scikit-learn"],
                )


def wait_listed(stack: LocalStack, api_key: str, name: str, versions: int = 2) -> None:
    """Until the marketplace lists the model with all its versions (it polls MLflow)."""
    url = stack.url("AIRLOOM_MARKETPLACE_PORT", f"/api/v1/models/{name}")
    deadline = time.monotonic() + LISTED_SECONDS
    answer = None
    while time.monotonic() < deadline:
        answer = httpx.get(url, headers={"X-API-Key": api_key}, timeout=30)
        if answer.status_code == 200 and len(answer.json().get("versions", [])) >= versions:
            return
        time.sleep(2)
    text = answer.text[:300] if answer is not None else "no answer"
    raise AssertionError(f"the marketplace did not list {name} in {LISTED_SECONDS:.0f} s: {text}")


ORDERS = "id,amount\n" + "\n".join(f"{i},{10 + i}.5" for i in range(8))
UPDATE = """mutation($id: ID!, $expected: Int!, $spec: JSON!, $message: String!) {
  updateWorkflow(id: $id, expectedVersion: $expected, spec: $spec, message: $message) { number }
}"""
TRIGGER = "mutation($id: ID!) { triggerRun(id: $id) { id } }"
RUN_STATE = "query($id: ID!) { run(id: $id) { state } }"


def second_version(builder: Builder, workflow_id: str) -> None:
    """Version 2 of a template workflow: one node's params changed and the last node removed,
    so the versions page has a diff to draw."""
    query = "query($id: ID!) { workflow(id: $id) { version(number: 1) { spec } } }"
    document = builder.data(query, id=workflow_id)["workflow"]["version"]["spec"]
    last = document["nodes"].pop()["id"]
    document["edges"] = [
        edge
        for edge in document["edges"]
        if last not in (edge["source"].split(".")[0], edge["target"].split(".")[0])
    ]
    document["nodes"][0]["params"]["topic"] = "customer_events_v2"
    message = "Read the v2 events topic; promote by hand"
    builder.data(UPDATE, id=workflow_id, expected=1, spec=document, message=message)


def failing_run(stack: LocalStack, builder: Builder, tenant: str) -> tuple[str, str]:
    """A published two-node workflow whose Spark SQL Spark cannot parse, triggered: (workflow
    id, run id). The run fails at its second node after the first loaded a CSV file."""
    landing = stack.home / "lake" / "tenants" / tenant / "landing" / "studio_orders"
    landing.mkdir(parents=True, exist_ok=True)
    (landing / "orders.csv").write_text(ORDERS)
    document = {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "orders_cleanup", "title": "Orders cleanup"},
        "defaults": {"retries": 0, "retryDelaySeconds": 0},
        "nodes": [
            {
                "id": "load",
                "type": "file_ingest",
                "params": {"source": "lake://landing/studio_orders/*.csv", "format": "csv",
                           "dataset": "orders"},
                "ui": {"x": 0, "y": 0},
            },
            {
                "id": "clean",
                "type": "spark_transform",
                "params": {"sql": "SELECT id FROM orders FETCH FIRST 5 ROWS ONLY",
                           "output_dataset": "clean_orders"},
                "ui": {"x": 260, "y": 0},
            },
        ],
        "edges": [{"source": "load.table", "target": "clean.tables"}],
    }  # fmt: skip
    workflow_id, _ = builder.create_and_publish(document)
    return workflow_id, builder.data(TRIGGER, id=workflow_id)["triggerRun"]["id"]


def start_deployment(stack: LocalStack, api_key: str, model: str, endpoint: str) -> str:
    """The model's version 1 deployed to the local target; the deployment's status URL."""
    answer = httpx.post(
        stack.url("AIRLOOM_MARKETPLACE_PORT", f"/api/v1/models/{model}/versions/1/deploy"),
        json={"endpoint": endpoint, "reason": "Studio's pages"},
        headers={"X-API-Key": api_key},
        timeout=60,
    )
    assert answer.status_code == 202, answer.text
    return answer.json()["status_url"]


def wait_for(what: str, check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not done after {timeout:.0f} s")
        time.sleep(2)


@dataclass(frozen=True)
class StudioData:
    """What :func:`seed_studio` put on the stack, all of one tenant."""

    tenant: StackTenant
    workflow_id: str  # from the customer-churn template, two versions
    workflow_title: str
    model: str  # two versions
    run_workflow_id: str  # published, with one failed run
    run_id: str
    endpoint: str  # serving the model's version 1


def seed_studio(stack: LocalStack) -> StudioData:
    """The first tenant's pages filled in: a template workflow with two versions, a model with
    two versions deployed to an endpoint, and a workflow whose run failed. The run and the
    deployment go on together; this returns when both have ended (a few minutes)."""
    tenant = stack.tenants[0]
    builder = Builder(stack, tenant.builder_token)
    run_workflow_id, run_id = failing_run(stack, builder, tenant.name)
    workflow_id = template_workflow(builder, "studio_customer_churn")
    second_version(builder, workflow_id)
    title = builder.data("query($id: ID!) { workflow(id: $id) { title name } }", id=workflow_id)
    model = f"{tenant.name}_churn_classifier"
    register_model(stack, tenant.name, model)
    wait_listed(stack, tenant.marketplace_key, model)
    endpoint = f"{tenant.name}-churn"
    status_url = start_deployment(stack, tenant.marketplace_key, model, endpoint)
    market = httpx.Client(
        base_url=stack.url("AIRLOOM_MARKETPLACE_PORT"),
        headers={"X-API-Key": tenant.marketplace_key},
        timeout=60,
    )

    def deployed() -> bool:
        state = market.get(status_url).json()["state"]
        assert state != "failed", f"deploying {model} to {endpoint} failed"
        return state == "success"

    def run_ended() -> bool:
        return builder.data(RUN_STATE, id=run_id)["run"]["state"] in ("failed", "success")

    with market:
        wait_for(f"deploying {model}", deployed, 900)
    wait_for(f"run {run_id}", run_ended, 600)
    shown = title["workflow"]["title"] or title["workflow"]["name"]
    return StudioData(
        tenant=tenant,
        workflow_id=workflow_id,
        workflow_title=shown,
        model=model,
        run_workflow_id=run_workflow_id,
        run_id=run_id,
        endpoint=endpoint,
    )
