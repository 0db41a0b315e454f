"""Every shipped template publishes (compiled, imported by DagBag) and runs end to end, twice.

Each runs for real on the session's broker, Spark, MLflow and lake, fed by `airloom demo-data
--tenant`, as a workflow of the local stack's own tenant (``default``) named as the template
suggests: its data lives in that tenant's area of the lake under the workflow's own name, and
the fraud template scores with the ``fraud_detector`` the built-in DAG trains, which is that
tenant's. A second run on unchanged inputs must leave every dataset the workflow wrote with
the same row count as the first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mlflow import MlflowClient

from airloom.datasets import read_table
from airloom.tenancy import TenantScope
from airloom.workflow.compiler import check_imports, compile_workflow
from airloom_cli.demo import support
from airloom_cli.demo.churn import customer_events
from airloom_cli.demo.publish import CHURN_TOPIC, _produce, load_fraud, load_retail, load_support
from tests.harness.airflow import DagRunResult, load_dag_file, run_dag, run_dag_object
from tests.harness.demo import demo_destination
from tests.harness.spark import use_local_spark
from workflow_builder_api.core.config import TEMPLATES_FOLDER
from workflow_builder_api.services.templates import Template, load_templates

SCOPE = TenantScope("default")
AREA = Path(SCOPE.area)
TEMPLATES = load_templates(TEMPLATES_FOLDER)


@pytest.fixture(scope="module", autouse=True)
def demo_data(own_broker, lake: Path) -> None:
    use_local_spark()
    to = demo_destination(own_broker.port, lake, SCOPE.tenant)
    records = customer_events(customers=120, seed=31)
    _produce(own_broker.url, to.topic(CHURN_TOPIC), ((r.key, r.value) for r in records))
    load_retail(to, customers=0)
    load_fraud(to, customers=0)
    load_fraud(demo_destination(own_broker.port, lake), customers=0)  # the built-in DAG's
    load_support(to, customers=0)


class Published:
    """One template's workflow, compiled and imported as Airflow's DAG processor would."""

    def __init__(self, template: Template, folder: Path, lake: Path) -> None:
        self.name = template.default_name
        self.spec = template.spec_for(self.name, tenant=SCOPE.tenant)
        compiled = compile_workflow(self.spec, workflow_id=template.id, version=1, scope=SCOPE)
        check_imports(compiled)
        path = folder / compiled.file_name
        path.write_text(compiled.source)
        self.dag = load_dag_file(path, compiled.dag_id)
        assert set(self.dag.task_ids) == {node["id"] for node in self.spec["nodes"]}
        self.datasets = lake / AREA / "workflows" / self.name

    def run(self, logical_date: datetime | None = None) -> DagRunResult:
        result = run_dag_object(self.dag, logical_date=logical_date)
        assert result.succeeded, result.task_states
        return result

    def row_counts(self) -> dict[str, int]:
        """Every dataset the workflow wrote, with its rows."""
        return {
            folder.name: read_table(folder.as_uri()).num_rows
            for folder in sorted(self.datasets.iterdir())
            if folder.is_dir() and not folder.name.startswith(("_", "."))
        }

    def rows(self, dataset: str) -> Any:
        return read_table((self.datasets / dataset).as_uri())

    def run_twice(self) -> dict[str, int]:
        """Run, then run again on the same inputs: the same datasets, the same row counts."""
        self.run()
        first = self.row_counts()
        assert first and all(first.values()), first
        self.run()
        assert self.row_counts() == first
        return first


def published(template_id: str, tmp_path: Path, lake: Path) -> Published:
    return Published(TEMPLATES[template_id], tmp_path, lake)


def test_customer_churn_template(airflow_db, airloom_connections, mlflow, lake, tmp_path) -> None:
    workflow = published("customer-churn", tmp_path, lake)
    workflow.run_twice()
    client = MlflowClient(mlflow.url)
    assert client.get_model_version_by_alias("default.customer_churn.churn", "champion")


def test_retail_demand_template(airflow_db, airloom_connections, lake, tmp_path) -> None:
    workflow = published("retail-demand-forecast", tmp_path, lake)
    counts = workflow.run_twice()
    forecast = workflow.rows("demand_forecast").to_pandas()
    assert len(forecast) > 100 and forecast["forecast_units"].notna().all()
    # One row per store, product and day, however often the files were offered.
    assert counts["daily_sales"] == len(
        workflow.rows("daily_sales").to_pandas().drop_duplicates(["store_id", "product_id", "date"])
    )


def test_fraud_stream_template(airflow_db, airloom_connections, mlflow, lake, tmp_path) -> None:
    client = MlflowClient(mlflow.url)
    try:
        client.get_model_version_by_alias("fraud_detector", "champion")
    except Exception:  # noqa: BLE001 - no champion yet: train one the way production does
        assert run_dag("fraud_model_training").succeeded
    workflow = published("fraud-detection-stream", tmp_path, lake)
    workflow.run_twice()
    scored = workflow.rows("scored").to_pandas()
    assert len(scored) >= 500 and set(scored["fraud_predicted"].unique()) <= {0, 1}


def test_support_analytics_template(airflow_db, airloom_connections, lake, tmp_path) -> None:
    workflow = published("support-analytics", tmp_path, lake)
    day = datetime(2026, 6, 1, tzinfo=UTC)
    first = workflow.run(day)
    counts = workflow.row_counts()
    assert counts["conversations"] == len(support.conversations())
    # As shipped it failed its own unique(conversation_id) check here ("800 of 800 rows
    # fail"): a second run, and a finished run cleared and run again, keep each conversation once.
    workflow.run()
    assert workflow.row_counts() == counts
    assert workflow.run(day).run_id == first.run_id
    assert workflow.row_counts() == counts
    scored = workflow.rows("scored_conversations").to_pandas()
    agreement = (scored["escalation_predicted"] == scored["escalated"]).mean()
    assert agreement > 0.7  # the text and timing features carry the escalations' signal


def test_document_retrieval_template(
    airflow_db, airloom_connections, mlflow, lake, tmp_path
) -> None:
    workflow = published("document-retrieval", tmp_path, lake)
    workflow.run_twice()
    # The embedder is listed as the template describes it, owned by the workflow's tenant.
    embedder = MlflowClient(mlflow.url).get_registered_model("default.document_retrieval.embedder")
    assert embedder.description.startswith("Turns help-centre passages and questions into")
    assert embedder.tags["airloom.task"] == "embedding"
    assert embedder.tags["airloom.owner"] == embedder.tags["airloom.tenant"] == "default"
    answers = workflow.rows("answers").to_pylist()
    assert len(answers) == 9  # three questions, three chunks each: the latest run's answers
    best = {row["question"]: row["doc_id"] for row in answers if row["rank"] == 1}
    assert best["how do I reset my password"] == "reset-password"
    assert best["when is my refund paid"] == "refund-timing"
    assert best["how long does express delivery take"] == "track-delivery"
