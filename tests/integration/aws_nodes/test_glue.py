"""glue_job through the builder: design → publish → run on the Glue stand-in, which runs the
job's script (Airloom's Glue entry point, read from moto's S3) on local Spark for real.

``dag.test()`` runs a deferred task's trigger in line (``_run_inline_trigger``); the tests watch
that function, so they see the task defer to the provider's GlueJobCompleteTrigger and resume
with its event. A task that waited in its worker would defer to nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from airflow.sdk import DAG

import airloom.spark.glue_entrypoint
from airloom.datasets import read_table
from airloom.operators.aws_glue import GLUE_JOB_RUN_KEY, GlueTransformOperator
from airloom.operators.failures import ERROR_KEY
from airloom.spark.glue import (
    GlueJobError,
    GlueTarget,
    check_succeeded,
    get_job_run,
    job_completed_trigger,
)
from airloom.tenancy import TenantScope
from airloom.tenancy.grants import Grants
from tests.harness.airflow import run_dag_object
from tests.harness.aws_stand_ins.server import REGION, StandIn
from tests.harness.designs import Designer
from tests.harness.servers import RunningServer
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.integration.builder.specs import node, spec

JOB_NAME = "airloom-transform"
CODE_BUCKET = "airloom-glue-code"
SCRIPT = f"s3://{CODE_BUCKET}/glue/glue_entrypoint.py"
TRIGGER = "airflow.providers.amazon.aws.triggers.glue.GlueJobCompleteTrigger"
ORDERS = [
    {"order_id": 1, "customer": "ada", "amount": 30.0},
    {"order_id": 2, "customer": "bob", "amount": 12.5},
    {"order_id": 3, "customer": "ada", "amount": 7.5},
    {"order_id": 4, "customer": "cy", "amount": 100.0},
]


@pytest.fixture(scope="module")
def glue(stand_in: StandIn, moto: RunningServer) -> Any:
    """A Glue client on the stand-in, with the job an admin creates for Airloom: its script
    is Airloom's Glue entry point, uploaded to S3."""
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    s3 = boto3.client("s3", endpoint_url=moto.url, region_name=REGION, **keys)
    s3.create_bucket(Bucket=CODE_BUCKET)
    entrypoint = Path(airloom.spark.glue_entrypoint.__file__).read_bytes()
    s3.put_object(Bucket=CODE_BUCKET, Key="glue/glue_entrypoint.py", Body=entrypoint)
    client = boto3.client("glue", endpoint_url=stand_in.url, region_name=REGION, **keys)
    client.create_job(
        Name=JOB_NAME,
        Role="arn:aws:iam::123456789012:role/airloom-glue",
        Command={"Name": "glueetl", "ScriptLocation": SCRIPT, "PythonVersion": "3"},
        GlueVersion="5.0",
        WorkerType="G.1X",
        NumberOfWorkers=2,
    )
    client.create_job(
        Name="airloom-nightly-billing",
        Role="arn:aws:iam::123456789012:role/billing",
        Command={"Name": "glueetl", "ScriptLocation": "s3://billing/scripts/close_books.py"},
    )
    return client


@pytest.fixture
def inline_triggers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any] | None]]:
    """Each trigger ``dag.test()`` ran in the triggerer's place, with the event it gave."""
    from airflow.sdk.definitions import dag as dag_module

    runs: list[tuple[str, dict[str, Any] | None]] = []
    run_trigger = dag_module._run_inline_trigger

    def watched(trigger: Any, ti: Any) -> Any:
        event = run_trigger(trigger, ti)
        runs.append((trigger.serialize()[0], event.payload if event else None))
        return event

    monkeypatch.setattr(dag_module, "_run_inline_trigger", watched)
    return runs


def _orders_in_lake(lake: Path, tenant: str) -> None:
    folder = lake / "tenants" / tenant / "inputs"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(ORDERS), folder / "orders.parquet")


def _glue_node(node_id: str, sql: str, output: str, **params: Any) -> dict[str, Any]:
    given = {
        "sql": sql,
        "output_dataset": output,
        "job_name": JOB_NAME,
        "worker_type": "G.1X",
        "number_of_workers": 2,
        "aws_conn_id": AWS_CONN_ID,
        "waiter_delay": 1,
        "waiter_max_attempts": 180,
        **params,
    }
    return node(node_id, "glue_job", given, x=200)


def _design(name: str, *glue_nodes: dict[str, Any]) -> dict[str, Any]:
    ingest = node(
        "ingest",
        "file_ingest",
        {"source": "lake://inputs/orders.parquet", "format": "parquet", "dataset": "orders"},
    )
    edges = [{"source": "ingest.table", "target": f"{n['id']}.tables"} for n in glue_nodes]
    return spec(name, nodes=[ingest, *glue_nodes], edges=edges)


def _xcom(dag_id: str, run_id: str, task_id: str, key: str) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    where = {"dag_id": dag_id, "run_id": run_id, "task_id": task_id, "key": key}
    with create_session() as session:
        row = session.scalars(select(XComModel).filter_by(**where)).one()
        return XComModel.deserialize_value(row)


def test_a_glue_job_runs_the_sql_on_glue_and_a_failed_run_fails_its_node_with_glues_message(
    design: Designer,
    lake: Path,
    glue: Any,
    stand_in_calls: StandIn,
    inline_triggers: list[tuple[str, dict[str, Any] | None]],
) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,))
    _orders_in_lake(lake, tenant.name)
    totals_sql = (
        "SELECT customer, count(*) AS orders, sum(amount) AS total FROM orders "
        "GROUP BY customer ORDER BY customer"
    )
    published = design.publish(
        tenant,
        _design(
            "glue_totals",
            _glue_node("totals", totals_sql, "sales/customer_totals"),
            # Valid for the builder (it reads its one view), refused by Spark on Glue.
            _glue_node("broken", "SELECT no_such_column FROM orders", "sales/broken"),
        ),
    )
    stand_in_calls.throttle("StartJobRun")  # Glue over its rate once: retried with back-off

    result = published.run()

    assert result.task_states == {"ingest": "success", "totals": "success", "broken": "failed"}
    area = lake / "tenants" / tenant.name
    rows = read_table(str(area / "sales" / "customer_totals")).to_pylist()
    assert rows == [
        {"customer": "ada", "orders": 2, "total": 37.5},
        {"customer": "bob", "orders": 1, "total": 12.5},
        {"customer": "cy", "orders": 1, "total": 100.0},
    ]
    assert not (area / "sales" / "broken").exists()  # nothing half-written

    # Each node started one Glue run (the throttled start was retried) and deferred to the
    # provider's trigger, resuming with its event.
    assert stand_in_calls.calls["StartJobRun"] == 3
    totals_run = _xcom(published.dag_id, result.run_id, "totals", GLUE_JOB_RUN_KEY)
    broken_run = _xcom(published.dag_id, result.run_id, "broken", GLUE_JOB_RUN_KEY)
    assert [classpath for classpath, _ in inline_triggers] == [TRIGGER, TRIGGER]
    events = {event["run_id"]: event for _, event in inline_triggers if event}
    assert events[totals_run] == {"status": "success", "run_id": totals_run}
    assert events[broken_run]["status"] == "error"
    runs = glue_runs(stand_in_calls)
    assert runs[totals_run]["JobRunState"] == "SUCCEEDED"
    assert (runs[totals_run]["WorkerType"], runs[totals_run]["NumberOfWorkers"]) == ("G.1X", 2)
    request = json.loads(runs[totals_run]["Arguments"]["--airloom_request"])
    assert request[request.index("--sql") + 1] == totals_sql
    assert request[request.index("--input") + 1] == f"orders=file://{area / 'orders'}"

    # Cost: 2 G.1X workers are 2 DPUs, billed by the second for at least a minute.
    (usage,) = result.xcoms["totals"]["usage"]
    assert (usage["service"], usage["unit"], usage["requests"]) == ("glue", "DPU-hour", 1)
    billed_seconds = max(60, runs[totals_run]["ExecutionTime"])
    assert usage["units"] == pytest.approx(2 * billed_seconds / 3600)
    assert result.xcoms["totals"]["table"] == f"file://{area / 'sales' / 'customer_totals'}"

    error = _xcom(published.dag_id, result.run_id, "broken", ERROR_KEY)
    assert runs[broken_run]["JobRunState"] == "FAILED"
    assert runs[broken_run]["ErrorMessage"].startswith(
        "SparkTransformError: node 'broken': Spark could not run the SQL statement"
    )
    assert error["summary"].startswith(
        f"node 'broken': Glue job '{JOB_NAME}' run {broken_run} ended FAILED: "
        "SparkTransformError: node 'broken': Spark could not run the SQL statement "
        "SELECT no_such_column FROM orders"
    )
    assert "no_such_column" in error["summary"].rpartition("FROM orders")[2]
    assert error["retryable"] is False  # the same statement fails the same way on a retry


def glue_runs(stand_in: StandIn) -> dict[str, dict[str, Any]]:
    return stand_in.state["glue"]["runs"]


def test_a_tenant_needs_the_aws_connection_and_its_sql_reads_only_its_own_inputs(
    design: Designer,
) -> None:
    granted = design.tenant(connections=(AWS_CONN_ID,))
    not_granted = design.tenant()

    problems = design.problems(
        not_granted, _design("glue_ungranted", _glue_node("totals", "SELECT * FROM orders", "t"))
    )
    assert [(p["code"], p["nodeId"], p["field"]) for p in problems] == [
        ("NOT_GRANTED", "totals", "nodes.1.params.aws_conn_id")
    ]
    assert "an admin must configure an AWS connection and grant it" in problems[0]["message"]

    other = f"{not_granted.name}_orders"
    problems = design.problems(
        granted,
        _design(
            "glue_foreign",
            _glue_node("joined", f"SELECT * FROM orders JOIN {other} USING (order_id)", "a"),
            _glue_node(
                "by_path",
                f"SELECT * FROM parquet.`/lake/tenants/{not_granted.name}/orders`",
                "b",
            ),
            # Only Airloom's jobs (airloom-…) are the tenant role's to run.
            _glue_node("billing", "SELECT * FROM orders", "c", job_name="close-the-books"),
        ),
    )
    found = {(p["code"], p["nodeId"], p["field"]) for p in problems}
    assert found == {
        ("UNKNOWN_VIEW", "joined", "nodes.1.params.sql"),
        ("INVALID_PARAMS", "by_path", "nodes.2.params.sql"),
        ("INVALID_PARAMS", "billing", "nodes.3.params.job_name"),
    }


def test_the_node_refuses_another_tenants_table_and_a_glue_job_not_airlooms_before_any_run(
    airflow_db, lake: Path, glue: Any, stand_in_calls: StandIn
) -> None:
    scope = TenantScope("acme", grants=Grants(connections=frozenset({AWS_CONN_ID})))
    theirs = f"file://{lake}/tenants/globex/orders"
    ours = f"file://{lake}/tenants/acme/orders"
    with DAG("glue_refusals", schedule=None) as dag:
        GlueTransformOperator(
            task_id="theirs",
            sql="SELECT * FROM orders",
            output_dataset="copied",
            aws_conn_id=AWS_CONN_ID,
            inputs={"tables": [theirs]},
            tenant_scope=scope,
        )
        GlueTransformOperator(
            task_id="billing",
            sql="SELECT * FROM orders",
            output_dataset="copied_too",
            job_name="airloom-nightly-billing",
            aws_conn_id=AWS_CONN_ID,
            inputs={"tables": [ours]},
            tenant_scope=scope,
        )

    result = run_dag_object(dag)

    assert result.task_states == {"theirs": "failed", "billing": "failed"}
    theirs_error = _xcom("glue_refusals", result.run_id, "theirs", ERROR_KEY)
    assert theirs_error["summary"] == (
        f"node 'theirs': input 'tables' ({theirs}) is outside the lake area of tenant 'acme'"
    )
    billing_error = _xcom("glue_refusals", result.run_id, "billing", ERROR_KEY)
    assert billing_error["summary"] == (
        "node 'billing': Glue job 'airloom-nightly-billing' is not Airloom's: it must be a "
        "Spark job (glueetl) running glue_entrypoint.py, and it runs 'glueetl' "
        "s3://billing/scripts/close_books.py"
    )
    assert stand_in_calls.calls["StartJobRun"] == 0


def test_a_wait_that_gave_up_stops_the_run_still_going(
    glue: Any, moto: RunningServer, stand_in_calls: StandIn
) -> None:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    s3 = boto3.client("s3", endpoint_url=moto.url, region_name=REGION, **keys)
    # Long enough to be still running when the wait has given up, even on a loaded machine.
    slow = b"import time\n\n\ndef main(argv):\n    time.sleep(12)\n    return 0\n"
    s3.put_object(Bucket=CODE_BUCKET, Key="slow/glue_entrypoint.py", Body=slow)
    glue.create_job(
        Name="airloom-slow",
        Role="arn:aws:iam::123456789012:role/airloom-glue",
        Command={
            "Name": "glueetl",
            "ScriptLocation": f"s3://{CODE_BUCKET}/slow/glue_entrypoint.py",
        },
    )
    target = GlueTarget(
        job_name="airloom-slow", aws_conn_id=AWS_CONN_ID, waiter_delay=1, waiter_max_attempts=1
    )
    run_id = glue.start_job_run(JobName="airloom-slow")["JobRunId"]

    event = _first_event(job_completed_trigger(target, run_id))

    assert (event["status"], event["run_id"]) == ("error", run_id)
    with pytest.raises(GlueJobError) as failure:
        check_succeeded(target, get_job_run(target, run_id), event, "node 'slow'")
    assert str(failure.value) == (
        f"node 'slow': Glue job 'airloom-slow' run {run_id} was still RUNNING when the wait "
        f"ended ({event['message']}); it was stopped"
    )
    assert stand_in_calls.calls["BatchStopJobRun"] == 1
    for _ in range(80):  # the stop lands when the script yields, as on Glue
        if get_job_run(target, run_id)["JobRunState"] != "RUNNING":
            break
        time.sleep(0.5)
    assert get_job_run(target, run_id)["JobRunState"] == "STOPPED"


def _first_event(trigger: Any) -> dict[str, Any]:
    async def first() -> dict[str, Any]:
        async for event in trigger.run():
            return event.payload
        raise AssertionError(f"{trigger!r} yielded no event")

    return asyncio.run(first())
