"""Upgrading a builder that published workflows before tenant scoping loses nothing.

A store at its first migration holds two published workflows of tenant ``acme`` with DAG files
in the old format, the lake holds their datasets at its root, and MLflow a model one of them
registered without a tenant. Starting the new builder must keep the sound workflow published
(under a DAG id that cannot collide), its data in the tenant's area and its model the tenant's,
and withdraw the one that reads the worker's file system.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from mlflow import MlflowClient
from sqlalchemy import text

from airloom import model_tags
from airloom.datasets import read_table
from airloom.workflow.compiler import HEADER
from servicekit.airflow_client import RestAirflowClient
from tests.harness.airflow import load_dagbag
from tests.harness.servers import free_port
from tests.integration.builder.api import running_builder
from tests.integration.builder.specs import node, spec
from tests.integration.marketplace.models import register_model
from workflow_builder_api.core.config import Settings
from workflow_builder_api.core.db import MIGRATIONS, make_engine

SOUND = spec(
    "sales",
    nodes=[
        node(
            "load",
            "file_ingest",
            {"source": "lake://landing/in/*.csv", "format": "csv", "dataset": "sales/daily"},
        ),
        node(
            "train",
            "train",
            {
                "estimator": "logistic_regression",
                "target": "churned",
                "registered_model_name": "legacy_sales_model",
            },
        ),
    ],
    edges=[{"source": "load.table", "target": "train.table"}],
)
OUTSIDE = spec(
    "passwords",
    nodes=[
        node(
            "steal", "file_ingest", {"source": "/etc/passwd", "format": "csv", "dataset": "stolen"}
        )
    ],
)


def legacy_file(folder: Path, workflow_id: str, document: dict) -> Path:
    """A DAG file as the builder wrote it before tenant scoping: no DAG id, no grants."""
    name = document["metadata"]["name"]
    published = {"workflowId": workflow_id, "version": 1, "tenant": "acme", "spec": document}
    data = json.dumps(published, sort_keys=True, separators=(",", ":"))
    source = "\n".join(
        [
            HEADER,
            "from airloom.workflow.factory import build_dag_from_json",
            "",
            f"WORKFLOW = {data!r}",
            "",
            "dag = build_dag_from_json(WORKFLOW)",
            "",
        ]
    )
    path = folder / f"wf_acme__{name}.py"
    path.write_text(source)
    return path


def old_store(database_url: str, dags: Path) -> None:
    engine = make_engine(database_url)
    MIGRATIONS.upgrade(engine, "0001")
    with engine.begin() as connection:
        for workflow_id, document in (("w1", SOUND), ("w2", OUTSIDE)):
            name = document["metadata"]["name"]
            location = str(legacy_file(dags, workflow_id, document))
            connection.execute(
                text(
                    "INSERT INTO workflows (id, tenant, name, title, current_version, "
                    "published_version, published_location, created_at, updated_at) VALUES "
                    "(:id, 'acme', :name, :name, 1, 1, :location, :now, :now)"
                ),
                {"id": workflow_id, "name": name, "location": location, "now": "2026-11-30"},
            )
            connection.execute(
                text(
                    "INSERT INTO workflow_versions (workflow_id, number, spec, message, "
                    "created_by, created_at) VALUES (:id, 1, :spec, 'created', 'alice', :now)"
                ),
                {"id": workflow_id, "spec": json.dumps(document), "now": "2026-11-30"},
            )
    engine.dispose()


def test_the_upgrade_keeps_workflows_data_and_models_and_withdraws_what_reaches_out(
    airflow_db, mlflow, tmp_path: Path
) -> None:
    dags, lake = tmp_path / "dags", tmp_path / "lake"
    dags.mkdir()
    (lake / "landing/in").mkdir(parents=True)
    (lake / "landing/in/jan.csv").write_text("customer,churned\n1,0\n2,1\n")
    for folder, rows in (("sales/daily", 3), ("sales/daily_quarantine", 1)):
        (lake / folder).mkdir(parents=True)
        pq.write_table(pa.table({"id": list(range(rows))}), lake / folder / "run1.parquet")
    version = register_model(
        mlflow.url, "legacy_sales_model", version_tags={model_tags.WORKFLOW: "wf_acme__sales"}
    )
    database_url = f"sqlite:///{tmp_path / 'builder.db'}"
    old_store(database_url, dags)
    # Before the builder restarts, the new factory still builds the old files as they were.
    assert "wf_acme__sales" in load_dagbag(dags).dags

    settings = Settings(
        database_url=database_url,
        dags_folder=str(dags),
        lake_uri=lake.as_uri(),
        mlflow_tracking_uri=mlflow.url,
    )
    nowhere = f"http://127.0.0.1:{free_port()}"
    with running_builder(settings, airflow_factory=lambda: RestAirflowClient(nowhere, "a", "b")):
        pass

    assert sorted(path.name for path in dags.glob("*.py")) == ["wf-acme-sales.py"]
    dagbag = load_dagbag(dags)
    assert not dagbag.import_errors and set(dagbag.dags) == {"wf-acme-sales"}
    area = lake / "tenants/acme"
    assert read_table((area / "sales/daily").as_uri()).num_rows == 3
    assert read_table((area / "sales/daily_quarantine").as_uri()).num_rows == 1
    assert (area / "landing/in/jan.csv").read_text().startswith("customer,churned")
    assert read_table((lake / "sales/daily").as_uri()).num_rows == 3  # nothing moved away
    client = MlflowClient(mlflow.url)
    assert client.get_registered_model("legacy_sales_model").tags[model_tags.TENANT] == "acme"
    assert client.get_model_version("legacy_sales_model", str(version))
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = dict(
            connection.execute(
                text(
                    "SELECT name, published_dag_id FROM workflows "
                    "WHERE published_version IS NOT NULL"
                )
            ).all()
        )
    engine.dispose()
    assert rows == {"sales": "wf-acme-sales"}  # the file reader was withdrawn, not kept running

    # A second start finds nothing left to upgrade and changes nothing.
    before = (dags / "wf-acme-sales.py").stat().st_mtime_ns
    with running_builder(settings, airflow_factory=lambda: RestAirflowClient(nowhere, "a", "b")):
        pass
    assert (dags / "wf-acme-sales.py").stat().st_mtime_ns == before
