"""The ingestion nodes refuse a wrong configuration when the DAG is parsed, naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.sdk import DAG

from airloom.catalog import NodeConfigError, node_types, params_problems
from airloom.lake import dataset_asset
from airloom.operators.files import FileIngestOperator
from airloom.operators.http import HttpIngestOperator
from airloom.operators.kafka import KafkaIngestOperator, KafkaPublishOperator
from airloom.operators.sql import SqlIngestParams

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}


def problems(operator: type, **params: Any) -> dict[str, str]:
    with DAG("t", schedule=None), pytest.raises(NodeConfigError) as error:
        operator(task_id="node", **params)
    return {problem.field: problem.message for problem in error.value.problems}


def test_the_catalog_offers_each_ingestion_node_with_its_ports() -> None:
    catalog = node_types()
    assert [p.name for p in catalog["kafka_ingest"].outputs] == ["table", "quarantine"]
    assert catalog["kafka_ingest"].output("quarantine").required is False
    assert [(p.name, p.type) for p in catalog["kafka_publish"].inputs] == [("table", "table")]
    assert [(p.name, p.type) for p in catalog["kafka_publish"].outputs] == [("stream", "stream")]
    for node in ("file_ingest", "sql_ingest", "http_ingest"):
        assert [(p.name, p.type) for p in catalog[node].outputs] == [("table", "table")]
        assert catalog[node].category == "ingest" and catalog[node].description


def test_kafka_ingest_declares_its_datasets_and_never_overlaps_itself() -> None:
    with DAG("t", schedule=None):
        task = KafkaIngestOperator(
            task_id="ingest", topic="orders", dataset="sales/orders", record_schema=SCHEMA
        )
    assert task.outlets == [
        dataset_asset("sales/orders"),
        dataset_asset("sales/orders_quarantine"),
    ]
    assert task.max_active_tis_per_dag == 1


def test_kafka_ingest_refuses_a_bad_topic_dataset_or_schema() -> None:
    found = problems(
        KafkaIngestOperator,
        topic="orders topic",
        dataset="Sales",
        record_schema={"type": "object"},
        max_records=0,
    )
    assert set(found) == {"topic", "dataset", "record_schema", "max_records"}
    assert "must declare 'properties'" in found["record_schema"]
    same = problems(
        KafkaIngestOperator,
        topic="orders",
        dataset="orders",
        record_schema=SCHEMA,
        dead_letter_topic="orders",
    )
    assert "dead_letter_topic must differ from topic" in same["dead_letter_topic"]


def test_a_template_is_not_a_topic_name() -> None:
    topic = problems(
        KafkaIngestOperator, topic="{{ params.topic }}", dataset="x", record_schema=SCHEMA
    )
    assert "should match pattern" in topic["topic"]


def test_sql_ingest_takes_exactly_one_select() -> None:
    def sql_problem(sql: str) -> str:
        (found,) = params_problems(SqlIngestParams, {"sql": sql, "conn_id": "db", "dataset": "x"})
        assert found.field == "sql"
        return found.message

    assert "must be a SELECT, not DELETE" in sql_problem("DELETE FROM orders")
    assert "exactly one statement, found 2" in sql_problem("SELECT 1; DROP TABLE orders")


def test_file_ingest_refuses_relative_paths_and_csv_options_on_other_formats() -> None:
    found = problems(
        FileIngestOperator,
        source="data/*.csv",
        format="parquet",
        dataset="sales",
        options={"delimiter": ";"},
    )
    assert "must be an absolute path" in found["source"]
    bad_options = problems(
        FileIngestOperator,
        source="/data/*.parquet",
        format="parquet",
        dataset="sales",
        options={"delimiter": ";"},
    )
    # A check across params concerns them as a whole (field ""), not one of them.
    assert "options delimiter apply to csv only" in bad_options[""]


def test_http_ingest_wants_a_path_under_its_connection() -> None:
    found = problems(
        HttpIngestOperator, endpoint="https://api.example.com/v1/orders", dataset="orders"
    )
    assert "give a path" in found["endpoint"]


def test_kafka_publish_needs_its_table_input() -> None:
    assert problems(KafkaPublishOperator, topic="alerts") == {
        "inputs.table": "required input is not connected"
    }
