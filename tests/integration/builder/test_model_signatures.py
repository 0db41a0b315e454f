"""What a registered version predicts, read by the builder from its signature in MLflow, so a
scoring node's result type is checked before it runs (a real tracking server)."""

from __future__ import annotations

import uuid

import pandas as pd

from airloom.tenancy import TenantScope
from airloom.workflow.validation import validate
from tests.harness.servers import free_port
from tests.integration.operators.ml_data import register_version
from workflow_builder_api.services.model_signatures import registry_predictions

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}


def scoring(model_uri: str, result_type: str) -> dict:
    ingest = {"topic": "loans", "dataset": "loans/features", "record_schema": SCHEMA}
    score = {"model_uri": model_uri, "result_type": result_type, "output_dataset": "scored"}
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "scoring"},
        "nodes": [
            {"id": "features", "type": "kafka_ingest", "params": ingest},
            {"id": "score", "type": "batch_score", "params": score},
        ],
        "edges": [{"source": "features.table", "target": "score.table"}],
    }


def test_a_versions_predictions_are_read_from_its_signature(mlflow) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    features = pd.DataFrame({"income": [1.0, 2.0, 3.0, 4.0]})
    labels = pd.Series([0, 1, 0, 1], dtype="int64")
    name = f"loans-{uuid.uuid4().hex[:6]}"
    register_version(
        mlflow.url, name, LogisticRegression().fit(features, labels), features, "champion"
    )

    predictions = registry_predictions(mlflow.url)
    assert predictions is not None
    assert predictions(f"models:/{name}/1") == "int64"
    assert predictions(f"models:/{name}@champion") == "int64"
    assert predictions(f"models:/{name}/7") is None  # no such version: the run will say
    assert predictions(f"models:/{name}@challenger") is None

    scope = TenantScope("acme", model_predictions=predictions)
    (problem,) = validate(scoring(f"models:/{name}@champion", "integer"), scope)
    assert (problem.code, problem.node_id, problem.field) == (
        "RESULT_TYPE_MISMATCH",
        "score",
        "nodes.1.params.result_type",
    )
    assert "which are int64: use 'long'" in problem.message
    assert validate(scoring(f"models:/{name}@champion", "long"), scope) == []


def test_mlflow_out_of_reach_leaves_the_predictions_unknown() -> None:
    predictions = registry_predictions(f"http://127.0.0.1:{free_port()}")
    assert predictions is not None and predictions("models:/loans/1") is None
    assert registry_predictions(None) is None
