"""spark_stream on MWAA Serverless: its streaming job as an AWS Glue streaming job run.

A design is compiled for an MWAA Serverless deployment that declares Glue streaming, loaded by
dag-factory's loader as the service loads it, and run with ``dag.test()``. The spark_stream
task creates its Glue job (``gluestreaming``, the tenant's role) on the Glue stand-in, which
runs Airloom's streaming entry point, read from moto's S3, on this session's local Spark,
against the session's Kafka-compatible broker and lake. The local node runs beside it on the
same records, so the two are compared output for output.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from airflow.sdk import DAG

from airloom.datasets import read_table
from airloom.operators.failures import ERROR_KEY
from airloom.operators.spark_stream import SparkKafkaStreamOperator
from airloom.tenancy import TenantScope
from airloom.workflow.serverless.definition import compile_definition
from airloom.workflow.serverless.glue_streaming import GlueStreaming
from airloom.workflow.serverless.placement import ServerlessTarget
from airloom_cli.aws.glue_code import build_glue_code, upload_glue_code
from airloom_cli.aws.project import find_project
from tests.harness.airflow import run_dag_object
from tests.harness.aws_stand_ins.server import ACCOUNT, REGION, StandIn
from tests.harness.kafka_topics import publish
from tests.harness.servers import RunningServer
from tests.harness.spark import use_local_spark
from tests.integration.aws_nodes.conftest import AWS_CONN_ID

use_local_spark()

CODE_BUCKET = "airloom-glue-stream-code"
SCRIPT = f"s3://{CODE_BUCKET}/glue/glue_stream_entrypoint.py"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/airloom-{{tenant}}-glue"
SCHEMA = "transaction_id STRING, card_id STRING, amount DOUBLE"
BAD = b'{"transaction_id": "t-bad", "amount": "lots"}'


@pytest.fixture(scope="module")
def target(stand_in: StandIn, moto: RunningServer) -> ServerlessTarget:
    """A deployment declaring Glue streaming, its code published by `airloom glue-code` to a
    versioned bucket on moto's S3."""
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    s3 = boto3.client("s3", endpoint_url=moto.url, region_name=REGION, **keys)
    s3.create_bucket(Bucket=CODE_BUCKET)
    s3.put_bucket_versioning(Bucket=CODE_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    with tempfile.TemporaryDirectory() as out, pytest.MonkeyPatch.context() as env:
        for name, value in keys.items():
            env.setenv(name.upper(), value)
        env.setenv("AWS_DEFAULT_REGION", REGION)
        code = build_glue_code(find_project(Path(__file__)), Path(out))
        upload_glue_code(code, f"s3://{CODE_BUCKET}/glue/", endpoint_url=moto.url)
    setup = GlueStreaming(
        role_arn_pattern=ROLE,
        script_location=SCRIPT,
        python_files=f"s3://{CODE_BUCKET}/glue/airloom-glue.zip",
        aws_conn_id=AWS_CONN_ID,
        waiter_delay=1,
        waiter_max_attempts=300,
    )
    return ServerlessTarget(spark_stream_on_glue=True, glue_streaming=setup)


def _records(start: int, count: int) -> list[bytes]:
    return [
        json.dumps({"transaction_id": f"t{n}", "card_id": f"c{n % 3}", "amount": n * 1.5}).encode()
        for n in range(start, start + count)
    ]


def _design(name: str, topic: str) -> dict[str, Any]:
    """The stream into the lake, then a quality gate reading its table as it would locally."""
    stream = {
        "topic": topic,
        "value_schema": SCHEMA,
        "output_dataset": "fraud/transactions_raw",
        "on_malformed": "drop",
    }
    gate = {"checks": [{"check": "row_count", "min": 1}], "output_dataset": "fraud/checked"}
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": name, "title": "Transactions"},
        "defaults": {"retries": 0},
        "nodes": [
            {"id": "transactions", "type": "spark_stream", "params": stream},
            {"id": "checked", "type": "quality_gate", "params": gate},
        ],
        "edges": [{"source": "transactions.table", "target": "checked.table"}],
    }


def _serverless_dag(spec: dict[str, Any], tenant: str, target: ServerlessTarget) -> Any:
    """The definition compiled for the tenant, built by dag-factory's loader."""
    from dagfactory import load_yaml_dags

    definition = compile_definition(
        spec, workflow_id="wf-1", version=1, scope=TenantScope(tenant), target=target
    )
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="airloom-serverless-") as folder:
        path = Path(folder) / "definition.yaml"
        path.write_text(definition.yaml_text)
        load_yaml_dags(found, config_filepath=str(path), defaults_config_path=folder)
    (dag,) = found.values()
    return dag


def _local_dag(dag_id: str, tenant: str, topic: str, dataset: str) -> DAG:
    """The same node as the DAG factory builds it for the tenant, on local Spark."""
    with DAG(dag_id, schedule=None) as dag:
        SparkKafkaStreamOperator(
            task_id="transactions",
            topic=topic,
            value_schema=SCHEMA,
            output_dataset=dataset,
            on_malformed="drop",
            tenant_scope=TenantScope(tenant),
        )
    return dag


def _tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def _create_topic(bootstrap: str, name: str) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, num_partitions=2, replication_factor=1)])[name].result(30)


def _xcom(dag_id: str, run_id: str, task_id: str, key: str) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    where = {"dag_id": dag_id, "run_id": run_id, "task_id": task_id, "key": key}
    with create_session() as session:
        row = session.scalars(select(XComModel).filter_by(**where)).one()
        return XComModel.deserialize_value(row)


def _rows(uri: str) -> list[tuple[str, str, float]]:
    table = read_table(uri).to_pylist()
    return sorted((r["transaction_id"], r["card_id"], r["amount"]) for r in table)


def test_a_redirected_stream_runs_on_glue_under_the_tenants_role_as_the_local_node_would(
    airflow_db, airloom_connections, broker, lake: Path, stand_in: StandIn, target
) -> None:
    tenant = _tenant()
    topic = f"{tenant}.transactions"  # the tenant's own topic, as its scope places "transactions"
    _create_topic(broker.url, topic)
    publish(broker.url, topic, [*_records(0, 3), BAD, *_records(3, 2)])
    dag = _serverless_dag(_design("transactions", "transactions"), tenant, target)

    result = run_dag_object(dag)

    assert result.task_states == {"transactions": "success", "checked": "success"}
    area = lake / "tenants" / tenant
    uri = (area / "fraud" / "transactions_raw").as_uri()
    output = result.xcoms["transactions"]
    assert {key: output[key] for key in ("table", "rows", "malformed")} == {
        "table": uri,
        "rows": 5,
        "malformed": 1,
    }
    assert [row[0] for row in _rows(uri)] == [f"t{n}" for n in range(5)]  # the bad one left out
    assert result.xcoms["checked"]["table"].startswith(area.as_uri())  # downstream as locally

    # One run of the node's own streaming job, under the tenant's role, reading its topic.
    runs = stand_in.state["glue"]["runs"]
    job_run = runs[output["job_run_id"]]
    job = stand_in.state["glue"]["jobs"][job_run["JobName"]]
    assert job_run["JobName"] == f"airloom-stream.wf-{tenant}-transactions.transactions"
    assert job["Command"]["Name"] == "gluestreaming"
    assert job["Command"]["ScriptLocation"] == SCRIPT
    assert stand_in.state["glue"]["run_roles"][output["job_run_id"]] == ROLE.format(tenant=tenant)
    request = json.loads(job_run["Arguments"]["--airloom_stream"])
    assert request["options"]["subscribe"] == topic
    assert request["options"]["groupIdPrefix"].startswith(f"{tenant}.")  # its groups only
    assert request["area"] == area.as_uri()
    assert (area / "_checkpoints" / "fraud" / "transactions_raw" / "offsets").is_dir()
    (usage,) = output["usage"]
    assert (usage["service"], usage["unit"]) == ("glue", "DPU-hour")

    # The local node, on the same records into another dataset, gives the same rows.
    local = run_dag_object(_local_dag(f"local_{tenant}", tenant, "transactions", "fraud/local"))
    assert local.xcoms["transactions"]["rows"] == 5
    assert local.xcoms["transactions"]["malformed"] == 1
    assert _rows((area / "fraud" / "local").as_uri()) == _rows(uri)

    # A second run is bounded the same way: it takes only what arrived since the first.
    publish(broker.url, topic, _records(5, 2))
    second = run_dag_object(dag)
    assert second.task_states == {"transactions": "success", "checked": "success"}
    assert (second.xcoms["transactions"]["rows"], second.xcoms["transactions"]["malformed"]) == (
        2,
        0,
    )
    assert [row[0] for row in _rows(uri)] == [f"t{n}" for n in range(7)]


def test_a_tenant_naming_another_tenants_topic_reads_only_its_own_namespace(
    airflow_db, airloom_connections, broker, lake: Path, stand_in: StandIn, target, capfd
) -> None:
    owner, other = _tenant(), _tenant()
    theirs = f"{owner}.orders"
    _create_topic(broker.url, theirs)
    publish(broker.url, theirs, _records(0, 3))

    dag = _serverless_dag(_design("peek", theirs), other, target)
    task = dag.get_task("transactions")
    assert task.node_params["topic"] == f"{other}.{theirs}"  # always its own prefix
    on_glue = run_dag_object(dag)
    capfd.readouterr()
    locally = run_dag_object(_local_dag(f"local_{other}", other, theirs, "fraud/local"))
    local_log = "".join(capfd.readouterr())

    # The same refusal as the local node's: no such topic of its own, nothing read.
    assert on_glue.task_states == {"transactions": "failed", "checked": "upstream_failed"}
    assert locally.task_states == {"transactions": "failed"}
    placed = f"{other}.{theirs}"
    refusal = f"topic '{placed}' is not readable"
    assert refusal in local_log
    roles = stand_in.state["glue"]["run_roles"]
    (glue_run,) = [
        run
        for run_id, run in stand_in.state["glue"]["runs"].items()
        if roles[run_id] == ROLE.format(tenant=other)  # one run, under its own role
    ]
    assert json.loads(glue_run["Arguments"]["--airloom_stream"])["options"]["subscribe"] == placed
    assert glue_run["JobRunState"] == "FAILED" and refusal in glue_run["ErrorMessage"]
    error = _xcom(dag.dag_id, on_glue.run_id, "transactions", ERROR_KEY)
    assert error["summary"].startswith(f"node 'transactions': Glue job '{glue_run['JobName']}'")
    assert not (lake / "tenants" / other / "fraud").exists()
    assert not (lake / "tenants" / owner).exists()
