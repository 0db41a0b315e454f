"""Publishing: a validated version becomes one DAG file that Airflow's DagBag imports, written
to a local dags folder or an MWAA bucket's dags/ prefix; a new version replaces the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.harness.servers import RunningServer
from tests.integration.builder import queries
from tests.integration.builder.api import Api, Builder, running_builder
from tests.integration.builder.specs import pipeline
from workflow_builder_api.core.config import Settings


def load(folder: Path):  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=folder, bundle_path=folder)


def create_and_publish(api: Api, name: str, version: int = 1, **extra) -> dict:  # type: ignore[no-untyped-def]
    workflow = api.data(queries.CREATE, input={"name": name, "spec": pipeline(name, **extra)})
    workflow_id = workflow["createWorkflow"]["id"]
    return api.data(queries.PUBLISH, id=workflow_id, version=version)["publishWorkflow"]


def test_a_published_version_is_a_dag_airflow_imports(builder: Builder, dags_folder: Path) -> None:
    tenant = builder.tenant()
    result = create_and_publish(tenant.editor, "orders", schedule="@daily")
    assert result["published"] is True
    assert result["problems"] == []
    path = dags_folder / f"wf-{tenant.name}-orders.py"
    # Only the file's name: where the server keeps it is not the caller's business.
    assert result["dagFile"] == path.name
    assert result["workflow"]["publishedVersion"] == 1
    assert result["workflow"]["publishedDagFile"] == path.name

    dagbag = load(path)
    assert dagbag.import_errors == {}
    dag = dagbag.dags[result["dagId"]]
    assert set(dag.task_ids) == {"ingest", "transform", "publish"}
    assert dag.get_task("publish").upstream_task_ids == {"transform"}
    workflow_id = result["workflow"]["id"]
    assert {"version:1", f"workflow:{workflow_id}", f"tenant:{tenant.name}"} <= set(dag.tags)
    # No temporary file is left beside it for the DAG processor to trip over.
    assert sorted(p.name for p in dags_folder.iterdir() if tenant.name in p.name) == [path.name]


def test_a_new_version_replaces_the_file_and_unpublish_removes_it(
    builder: Builder, dags_folder: Path
) -> None:
    tenant = builder.tenant()
    first = create_and_publish(tenant.editor, "daily")
    workflow_id = first["workflow"]["id"]
    path = dags_folder / first["dagFile"]
    edited = pipeline("daily", schedule="0 6 * * 1-5")
    edited["nodes"][2]["params"]["topic"] = "orders_weekdays"
    tenant.editor.data(queries.UPDATE, id=workflow_id, expected=1, spec=edited)
    second = tenant.editor.data(queries.PUBLISH, id=workflow_id, version=2)["publishWorkflow"]
    assert second["published"] is True
    assert second["dagFile"] == path.name
    dag = load(path).dags[second["dagId"]]
    assert "version:2" in dag.tags and "version:1" not in dag.tags
    # The design names its topic; it lives among the tenant's own.
    assert dag.get_task("publish").node_params["topic"] == f"{tenant.name}.orders_weekdays"

    # Publishing an older version again is allowed: it replaces the file the same way.
    again = tenant.editor.data(queries.PUBLISH, id=workflow_id, version=1)["publishWorkflow"]
    assert again["workflow"]["publishedVersion"] == 1
    assert "version:1" in load(path).dags[second["dagId"]].tags

    unpublished = tenant.editor.data(queries.UNPUBLISH, id=workflow_id)["unpublishWorkflow"]
    assert unpublished["publishedVersion"] is None
    assert not path.exists()
    error = tenant.editor.error(queries.TRIGGER, id=workflow_id)
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "not published" in error["message"]


def test_deleting_a_published_workflow_withdraws_its_dag(
    builder: Builder, dags_folder: Path
) -> None:
    tenant = builder.tenant()
    result = create_and_publish(tenant.editor, "gone")
    assert (dags_folder / result["dagFile"]).exists()
    tenant.admin.data(queries.DELETE, id=result["workflow"]["id"])
    assert not (dags_folder / result["dagFile"]).exists()


def test_user_text_stays_data_in_the_dag_file(builder: Builder, dags_folder: Path) -> None:
    tenant = builder.tenant()
    title = "'''\"; import os; os.system('rm -rf /') #"
    document = pipeline("quoted")
    document["metadata"]["title"] = title
    document["nodes"][1]["params"]["sql"] = "SELECT '\"\"\"' AS x -- __import__('os')"
    created = tenant.editor.data(queries.CREATE, input={"name": "quoted", "spec": document})
    workflow_id = created["createWorkflow"]["id"]
    result = tenant.editor.data(queries.PUBLISH, id=workflow_id, version=1)["publishWorkflow"]
    assert result["published"] is True
    source = (dags_folder / result["dagFile"]).read_text()
    code_lines = [line for line in source.splitlines() if not line.startswith("WORKFLOW = ")]
    assert not any("os.system" in line or "__import__" in line for line in code_lines)
    dag = load(dags_folder / result["dagFile"]).dags[result["dagId"]]
    assert dag.dag_display_name == title


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(variable, value)


@pytest.fixture
def s3_builder(
    moto: RunningServer, aws_credentials: None, tmp_path: Path
) -> Iterator[tuple[Builder, object]]:
    s3 = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1")
    s3.create_bucket(Bucket="airloom-mwaa-builder")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'builder.db'}",
        dags_folder="s3://airloom-mwaa-builder/dags",
        aws_endpoint_url=moto.url,
        aws_region="us-east-1",
    )
    with running_builder(settings) as builder:
        yield builder, s3


def test_publishing_to_the_mwaa_bucket(s3_builder: tuple[Builder, object], tmp_path: Path) -> None:
    builder, s3 = s3_builder
    tenant = builder.tenant()
    result = create_and_publish(tenant.editor, "on_mwaa")
    key = f"dags/wf-{tenant.name}-on_mwaa.py"
    assert result["dagFile"] == key.rsplit("/", 1)[-1]  # the bucket is not the caller's business
    body = s3.get_object(Bucket="airloom-mwaa-builder", Key=key)["Body"].read()  # type: ignore[attr-defined]
    # What MWAA syncs from the bucket imports like any other DAG file.
    local = tmp_path / "synced"
    local.mkdir()
    (local / Path(key).name).write_bytes(body)
    dagbag = load(local)
    assert dagbag.import_errors == {}
    assert "version:1" in dagbag.dags[result["dagId"]].tags

    workflow_id = result["workflow"]["id"]
    tenant.editor.data(queries.UNPUBLISH, id=workflow_id)
    listed = s3.list_objects_v2(Bucket="airloom-mwaa-builder", Prefix="dags/")  # type: ignore[attr-defined]
    assert key not in [item["Key"] for item in listed.get("Contents", [])]
