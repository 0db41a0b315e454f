"""File ingestion: CSV, JSON lines and Parquet from a folder or from S3 (moto) into the lake."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from airflow.sdk import DAG

from airloom.datasets import read_table
from airloom.operators.files import FileIngestOperator
from tests.harness.airflow import run_dag_object
from tests.integration.operators.ingest_support import connect, unique_name


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch, lake: Path) -> None:
    connect(monkeypatch, lake)


def rows(lake: Path, dataset: str) -> list[dict]:
    return read_table(f"{lake.as_uri()}/{dataset}").to_pylist()


def test_csv_json_lines_and_parquet_files_land_in_the_lake(
    airflow_db, connections, lake: Path, tmp_path: Path
) -> None:
    sales = tmp_path / "sales"
    sales.mkdir()
    (sales / "2026-11-01.csv").write_text("store,units,revenue\nberlin,3,29.97\nparis,1,9.99\n")
    (sales / "2026-11-02.csv").write_text("store,units,revenue\nberlin,2,19.98\n")
    (sales / "readme.txt").write_text("not sales")
    (tmp_path / "events.jsonl").write_text(
        '{"user": "u1", "kind": "click", "meta": {"page": "/home"}}\n'
        '{"user": "u2", "kind": "view", "meta": {"page": "/cart"}}\n'
    )
    pq.write_table(pa.table({"sku": ["a", "b"], "price": [1.5, 2.5]}), tmp_path / "prices.parquet")
    (tmp_path / "legacy.txt").write_text("7;oslo\n8;rome\n")
    names = {kind: unique_name(kind) for kind in ("sales", "events", "prices", "legacy")}
    with DAG(unique_name("files"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        FileIngestOperator(
            task_id="sales", source=f"{sales}/*.csv", format="csv", dataset=names["sales"]
        )
        FileIngestOperator(
            task_id="events",
            source=(tmp_path / "events.jsonl").as_uri(),
            format="jsonl",
            dataset=names["events"],
        )
        FileIngestOperator(
            task_id="prices",
            source=str(tmp_path / "prices.parquet"),
            format="parquet",
            dataset=names["prices"],
            options={"columns": ["sku"]},
        )
        FileIngestOperator(
            task_id="legacy",
            source=str(tmp_path / "legacy.txt"),
            format="csv",
            dataset=names["legacy"],
            options={"delimiter": ";", "header": False, "column_names": ["id", "city"]},
        )

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    assert result.xcoms["sales"]["table"] == f"{lake.as_uri()}/{names['sales']}"
    sales_rows = sorted(rows(lake, names["sales"]), key=lambda r: (r["_source_file"], r["store"]))
    assert [(r["store"], r["units"], r["revenue"]) for r in sales_rows] == [
        ("berlin", 3, 29.97),
        ("paris", 1, 9.99),
        ("berlin", 2, 19.98),
    ]
    assert sales_rows[0]["_source_file"] == f"file://{sales}/2026-11-01.csv"
    events = sorted(rows(lake, names["events"]), key=lambda r: r["user"])
    assert events[0]["meta"] == {"page": "/home"} and events[1]["kind"] == "view"
    assert rows(lake, names["prices"]) == [
        {"sku": "a", "_source_file": f"file://{tmp_path}/prices.parquet"},
        {"sku": "b", "_source_file": f"file://{tmp_path}/prices.parquet"},
    ]
    assert [(r["id"], r["city"]) for r in rows(lake, names["legacy"])] == [(7, "oslo"), (8, "rome")]

    # A second run finds no new file (write_mode new_files, the default): each row stays once.
    again = run_dag_object(dag)
    assert again.succeeded, again.task_states
    assert again.xcoms["sales"] == {
        "table": f"{lake.as_uri()}/{names['sales']}",
        "files": 0,
        "files_found": 2,
        "rows": 0,
    }
    assert len(rows(lake, names["sales"])) == 3


def test_s3_files_are_read_through_an_airflow_aws_connection(
    airflow_db, connections, lake: Path, moto, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = unique_name("landing").replace("_", "-")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="sales/2026-11-01.csv", Body=b"store,units\nberlin,3\n")
    s3.put_object(Bucket=bucket, Key="sales/2026-11-02.csv", Body=b"store,units\nparis,1\n")
    s3.put_object(Bucket=bucket, Key="sales/archive/2025.csv", Body=b"store,units\nold,9\n")
    monkeypatch.setenv(
        "AIRFLOW_CONN_LANDING_AWS",
        json.dumps(
            {
                "conn_type": "aws",
                "login": "testing",
                "password": "testing",
                "extra": {"endpoint_url": moto.url, "region_name": "us-east-1"},
            }
        ),
    )
    dataset = unique_name("sales")
    with DAG(unique_name("s3_files"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        FileIngestOperator(
            task_id="sales",
            source=f"s3://{bucket}/sales/*.csv",
            format="csv",
            dataset=dataset,
            aws_conn_id="landing_aws",
        )

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    stored = sorted(rows(lake, dataset), key=lambda r: r["store"])
    assert [(r["store"], r["units"]) for r in stored] == [("berlin", 3), ("paris", 1)]
    assert stored[0]["_source_file"] == f"s3://{bucket}/sales/2026-11-01.csv"


def test_unreadable_or_missing_files_fail_the_task_saying_which(
    airflow_db, connections, lake: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    (tmp_path / "broken.jsonl").write_text('{"user": "u1"}\n{"user": \n')
    broken = unique_name("broken")
    with DAG(unique_name("bad_files"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        FileIngestOperator(
            task_id="broken",
            source=str(tmp_path / "broken.jsonl"),
            format="jsonl",
            dataset=broken,
        )
        FileIngestOperator(
            task_id="missing",
            source=f"{tmp_path}/nothing-*.csv",
            format="csv",
            dataset=unique_name("missing"),
        )

    result = run_dag_object(dag)

    assert result.task_states == {"broken": "failed", "missing": "failed"}
    task_logs = "".join(capfd.readouterr())  # dag.test() prints each task's log
    assert f"node 'broken': cannot read file://{tmp_path}/broken.jsonl as jsonl" in task_logs
    assert f"node 'missing': no file matches {tmp_path}/nothing-*.csv" in task_logs
    assert not (lake / broken).exists()  # nothing half-written


def test_a_lake_path_reads_files_landed_under_the_lake_root(
    airflow_db, connections, lake: Path
) -> None:
    landing = lake / "landing" / "stores"
    landing.mkdir(parents=True)
    (landing / "s1.csv").write_text("store,units\nberlin,3\n")
    (landing / "s2.csv").write_text("store,units\nparis,5\n")
    dataset = unique_name("stores")
    with DAG(unique_name("lake_files"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        FileIngestOperator(
            task_id="stores", source="lake://landing/stores/*.csv", format="csv", dataset=dataset
        )
    result = run_dag_object(dag)
    assert result.succeeded, result.task_states
    assert sorted(row["units"] for row in rows(lake, dataset)) == [3, 5]


def test_a_cleared_run_reruns_to_the_same_rows_and_a_new_run_reads_only_new_files(
    airflow_db, connections, lake: Path, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.csv").write_text("id\n1\n2\n")
    (landing / "b.csv").write_text("id\n3\n")
    new_files, replaced = unique_name("new_files"), unique_name("replaced")
    with DAG(unique_name("cleared"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        FileIngestOperator(
            task_id="new", source=f"{landing}/*.csv", format="csv", dataset=new_files
        )
        FileIngestOperator(
            task_id="all",
            source=f"{landing}/*.csv",
            format="csv",
            dataset=replaced,
            write_mode="replace",
        )
    day1, day2 = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC)

    def ids(dataset: str) -> list[int]:
        return sorted(row["id"] for row in rows(lake, dataset))

    first = run_dag_object(dag, logical_date=day1)
    cleared = run_dag_object(dag, logical_date=day1)  # the same run id, every task again
    assert first.run_id == cleared.run_id and cleared.succeeded, cleared.task_states
    assert ids(new_files) == ids(replaced) == [1, 2, 3]

    (landing / "c.csv").write_text("id\n4\n")
    second = run_dag_object(dag, logical_date=day2)
    assert second.xcoms["new"]["files"] == 1 and second.xcoms["all"]["files"] == 3
    assert run_dag_object(dag, logical_date=day2).succeeded
    assert ids(new_files) == ids(replaced) == [1, 2, 3, 4]
    batches = sorted(path.name for path in (lake / new_files).iterdir())
    assert len(batches) == 2 and all(name.startswith("run-new-manual__") for name in batches)
