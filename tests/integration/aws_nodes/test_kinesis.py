"""kinesis_publish and kinesis_ingest through the builder, against Kinesis on moto (server
mode): a table published to a tenant's stream comes back into the lake row by row, once, with
malformed records quarantined, across reruns and a reshard; and a tenant reaches neither an
AWS connection it was not granted nor another tenant's stream.

moto keeps a split shard's records in the closed parent and routes new records there too (the
first shard whose hash range covers the key); on Kinesis the parent keeps only the older
records and new ones go to the children. The reshard test asserts what holds for both: every
record lands once, and the closed parent is read before its children.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airloom.datasets import read_table
from tests.harness.airflow import load_dag_file
from tests.harness.designs import Designer
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.integration.builder.specs import node, spec

ORDER_SCHEMA = {
    "type": "object",
    "required": ["order_id", "customer", "amount"],
    "properties": {
        "order_id": {"type": "integer"},
        "customer": {"type": "string"},
        "amount": {"type": "number", "minimum": 0},
    },
}
ORDERS = [
    {"order_id": 1, "customer": "ada", "amount": 12.5},
    {"order_id": 2, "customer": "bob", "amount": 3.0},
    {"order_id": 3, "customer": "ada", "amount": 7.25},
    {"order_id": 4, "customer": "cy", "amount": 0.0},
    {"order_id": 5, "customer": "bob", "amount": 99.9},
    {"order_id": 6, "customer": "dee", "amount": 42.0},
]
NOT_JSON = b'{"order_id": 7, "customer":'
NEGATIVE = b'{"order_id": 8, "customer": "eve", "amount": -1}'


@pytest.fixture
def kinesis(moto) -> Any:
    """A Kinesis client on moto, as the admin who creates a tenant's streams uses."""
    return boto3.client(
        "kinesis",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def publish_design(name: str, source: str) -> dict:
    return spec(
        name,
        nodes=[
            node(
                "orders_in",
                "file_ingest",
                {"source": source, "format": "parquet", "dataset": "orders_in"},
            ),
            node(
                "publish",
                "kinesis_publish",
                {
                    "stream": "orders",
                    "partition_key_column": "customer",
                    "columns": ["order_id", "customer", "amount"],
                    "aws_conn_id": AWS_CONN_ID,
                },
                x=200,
            ),
        ],
        edges=[{"source": "orders_in.table", "target": "publish.table"}],
    )


def ingest_design(name: str, stream: str = "orders", **params: Any) -> dict:
    ingest = {
        "stream": stream,
        "dataset": "orders",
        "record_schema": ORDER_SCHEMA,
        "record_id_field": "order_id",
        "max_seconds": 30,
        "aws_conn_id": AWS_CONN_ID,
        **params,
    }
    return spec(name, nodes=[node("ingest", "kinesis_ingest", ingest)])


def landed(lake: Path, tenant: str, dataset: str) -> list[dict]:
    rows = read_table(f"{lake.as_uri()}/tenants/{tenant}/{dataset}").to_pylist()
    return sorted(rows, key=lambda row: (row.get("order_id") or 0, row["_kinesis_sequence_number"]))


def put(kinesis: Any, stream: str, *values: bytes) -> None:
    kinesis.put_records(
        StreamName=stream,
        Records=[{"Data": value, "PartitionKey": f"k{i}"} for i, value in enumerate(values)],
    )


def test_a_published_table_lands_once_through_reruns_and_a_reshard(
    design: Designer, stand_in, kinesis, lake: Path
) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,))
    stream = f"{tenant.name}.orders"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    inputs = lake / "tenants" / tenant.name / "inputs"
    inputs.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(ORDERS), inputs / "orders.parquet")

    published = design.publish(tenant, publish_design("orders_out", "lake://inputs/orders.parquet"))
    sent = published.run()
    assert sent.succeeded, sent.task_states
    assert sent.xcoms["publish"]["stream"] == f"kinesis://{AWS_CONN_ID}/{stream}"
    assert sent.xcoms["publish"]["published"] == 6
    put(kinesis, stream, NOT_JSON, NEGATIVE)  # a faulty producer of the tenant's

    ingest = design.publish(tenant, ingest_design("orders_in_lake"))
    first = ingest.run()
    assert first.succeeded, first.task_states
    outputs = first.xcoms["ingest"]
    assert (outputs["read"], outputs["written"], outputs["quarantined"]) == (8, 6, 2)
    rows = landed(lake, tenant.name, "orders")
    assert [{k: row[k] for k in ("order_id", "customer", "amount")} for row in rows] == ORDERS
    for row in rows:
        assert row["_kinesis_stream"] == stream
        assert row["_kinesis_shard_id"] == "shardId-000000000000"
        assert row["_kinesis_partition_key"] == row["customer"]
        assert row["_kinesis_arrival_time"] is not None
    sequences = [int(row["_kinesis_sequence_number"]) for row in rows]
    assert sequences == sorted(sequences)  # published in the table's order, one shard
    quarantined = {
        row["_value"]: row["_reason"]
        for row in read_table(
            f"{lake.as_uri()}/tenants/{tenant.name}/orders_quarantine"
        ).to_pylist()
    }
    assert set(quarantined) == {NOT_JSON, NEGATIVE}
    assert quarantined[NOT_JSON].startswith("not JSON: ")
    assert "$.amount: -1 is less than the minimum of 0" in quarantined[NEGATIVE]

    again = ingest.run()  # nothing new: the checkpoint kept with the rows says so
    assert again.succeeded, again.task_states
    assert (again.xcoms["ingest"]["read"], again.xcoms["ingest"]["written"]) == (0, 0)
    assert len(landed(lake, tenant.name, "orders")) == 6

    # A reshard, then new records and one the producer sent again (order 3).
    kinesis.split_shard(
        StreamName=stream,
        ShardToSplit="shardId-000000000000",
        NewStartingHashKey=str(2**127),
    )
    more = [{"order_id": i, "customer": f"c{i}", "amount": float(i)} for i in (7, 8, 9)]
    put(kinesis, stream, *(json.dumps(order).encode() for order in [*more, ORDERS[2]]))
    after = ingest.run()
    assert after.succeeded, after.task_states
    outputs = after.xcoms["ingest"]
    assert (outputs["read"], outputs["written"], outputs["duplicates"]) == (4, 3, 1)
    assert outputs["shards_waiting"] == []
    assert set(outputs["checkpoint"]) >= {"shardId-000000000000"}
    rows = landed(lake, tenant.name, "orders")
    assert [row["order_id"] for row in rows] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert [row["customer"] for row in rows[6:]] == ["c7", "c8", "c9"]
    assert len(read_table(f"{lake.as_uri()}/tenants/{tenant.name}/orders_quarantine")) == 2


def test_a_tenant_without_a_granted_aws_connection_gets_a_problem(design: Designer) -> None:
    tenant = design.tenant()
    for params in ({"aws_conn_id": AWS_CONN_ID}, {}):
        design_ = ingest_design("no_grant")
        design_["nodes"][0]["params"].pop("aws_conn_id")
        design_["nodes"][0]["params"].update(params)
        problems = design.problems(tenant, design_)
        granted = [p for p in problems if p["field"].endswith("params.aws_conn_id")]
        assert granted and granted[0]["nodeId"] == "ingest", problems
        assert "an admin must configure an AWS connection" in granted[0]["message"]
    publishing = publish_design("no_grant_out", "lake://inputs/orders.parquet")
    problems = design.problems(tenant, publishing)
    assert [(p["nodeId"], p["field"]) for p in problems if "AWS" in p["message"]] == [
        ("publish", "nodes.1.params.aws_conn_id")
    ]


def test_a_tenant_cannot_name_another_tenants_stream(
    design: Designer, stand_in, kinesis, lake: Path
) -> None:
    owner = design.tenant(connections=(AWS_CONN_ID,))
    other = design.tenant(connections=(AWS_CONN_ID,))
    theirs = f"{owner.name}.orders"
    kinesis.create_stream(StreamName=theirs, ShardCount=1)
    put(kinesis, theirs, json.dumps(ORDERS[0]).encode())

    published = design.publish(other, ingest_design("peek", stream=theirs))
    task = load_dag_file(published.path, published.dag_id).get_task("ingest")
    assert task.node_params["stream"] == f"{other.name}.{theirs}"  # always its own prefix
    result = published.run()
    # No such stream of its own: nothing read, and no retry would find one.
    assert result.task_states == {"ingest": "failed"}
    assert not (lake / "tenants" / other.name / "orders").exists()


def test_a_record_id_field_the_schema_lacks_is_a_problem_of_that_param(design: Designer) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,))
    problems = design.problems(tenant, ingest_design("bad_id", record_id_field="event_id"))
    assert [(p["nodeId"], p["field"].rsplit(".", 1)[-1]) for p in problems] == [
        ("ingest", "record_id_field")
    ]
    assert "'event_id' is not a property of record_schema" in problems[0]["message"]
