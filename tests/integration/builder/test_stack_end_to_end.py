"""The builder against the real local stack: design → validate → publish into the git
repository the stack's Airflow reads as a versioned bundle → the DAG appears with no import
error → trigger → every node reaches success through `run` and `runUpdates` → restore an
earlier version and run it again; and the same run through MWAA's InvokeRestApi (the loopback
stand-in in front of the same Airflow). The run reaches the tenant's ROI in the insights service
within seconds (Airflow's listener → the activity topic → the lake), at the cost its task
durations in Airflow's API and the rates file give by hand, and no other tenant sees it."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from airloom.tenancy import TenantScope
from servicekit.airflow_roles import ensure_tenant_roles
from servicekit.mwaa_airflow_client import MwaaAirflowClient
from tests.e2e.stack_insights import (
    FIGURES_SECONDS,
    Insights,
    insights_api_token,
    run_cost_by_hand,
    signed_in_token,
)
from tests.harness.servers import mwaa_server
from tests.harness.stack import LocalStack
from tests.integration.builder import queries
from tests.integration.builder.api import (
    Builder,
    Tenant,
    running_builder,
    subscribe,
    write_template,
)
from tests.integration.builder.specs import ingest, node, spec
from workflow_builder_api.core.config import Settings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack_builder(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builder]:
    folder = tmp_path_factory.mktemp("stack-builder")
    templates = folder / "templates"
    # One cheap node: the stack check is about the builder, not about Spark.
    write_template(templates, "orders_intake", spec("orders_intake", nodes=[ingest()]))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'builder.db'}",
        dags_folder=str(folder / "dags"),
        dags_repository=stack.workflows_repo,  # the bundle the stack's DAG processor reads
        templates_folder=templates,
        run_poll_seconds=1.0,
        dag_parse_timeout_seconds=240,
    )
    with running_builder(settings, airflow_factory=stack.airflow) as builder:
        yield builder


@pytest.fixture
def tenant(stack_builder: Builder) -> Tenant:
    return stack_builder.tenant()


def produce_orders(bootstrap: str, topic: str, count: int) -> None:
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for order_id in range(count):
        value = json.dumps({"id": order_id, "amount": 10.0 + order_id})
        producer.produce(topic, value=value.encode())
    assert producer.flush(30) == 0


def watch(builder: Builder, tenant: Tenant, run_id: str) -> list[dict]:
    updates = list(
        subscribe(builder.client, tenant.viewer.token, queries.RUN_UPDATES, {"runId": run_id})
    )
    assert all("errors" not in update for update in updates), updates
    found = [update["data"]["runUpdates"] for update in updates]
    # The stream ends with the run's own final state.
    assert found[-1]["node"] is None
    return found


def roi_follows_the_run(
    stack: LocalStack, insights: Insights, tenant: str, design: dict, run: dict, since: datetime
) -> None:
    """The finished run in the tenant's ROI by workflow within seconds of its end, costing what
    its task tries took at the rates file's prices; another tenant's figures do not hold it.
    A task's event leaves its process as the process exits, which may be just after Airflow
    ended the run: the run may count a moment before its last task's cost does."""
    dag_id, run_id = run["dagId"], run["airflowRunId"]
    name = design["metadata"]["name"]
    node_types = {node["id"]: node["type"] for node in design["nodes"]}
    by_hand = run_cost_by_hand(stack, tenant, dag_id, run_id, node_types)
    shown, seen = insights.wait_for_roi(
        "workflow",
        name,
        since,
        lambda f: f.runs == 1 and math.isclose(f.cost_usd, by_hand, rel_tol=1e-9),
        expected=f"1 run costing {by_hand} USD",
    )
    ended = stack.airflow().get_run(dag_id, run_id).end_date
    assert ended is not None, f"{dag_id} {run_id} has no end in Airflow"
    lag = (seen - ended).total_seconds()
    print(f"insights: {dag_id} {run_id} was in the ROI figures {lag:.1f} s after it ended")
    assert lag < FIGURES_SECONDS, lag
    assert (shown.runs, shown.failures, shown.predictions) == (1, 0, 0), shown

    by_dag = {"metrics": ["runs"], "group_by": ["dag_id"]}
    assert [dag_id, 1] in insights.query(by_dag)["rows"]
    other = stack.tenants[1]
    theirs = Insights(stack, signed_in_token(stack, stack.studio_login(other.studio_username)))
    assert dag_id not in {row[0] for row in theirs.query(by_dag)["rows"]}
    assert theirs.roi("workflow", since, datetime.now(UTC)).get(name) is None


def test_design_publish_run_watch_restore_and_run_again(
    stack: LocalStack, stack_builder: Builder, tenant: Tenant
) -> None:
    topic = f"orders_{tenant.name}"
    # The design names its topic; on the broker it is the tenant's own.
    tenant_topic = TenantScope(tenant.name).topic(topic)
    produce_orders(stack.kafka_bootstrap, tenant_topic, 3)
    editor = tenant.editor

    # Version 1 from the template: read the orders into the lake.
    intake = ingest(topic=topic, max_seconds=5)
    created = editor.data(
        queries.CREATE,
        input={
            "name": "orders",
            "templateId": "orders_intake",
        },
    )["createWorkflow"]
    workflow_id = created["id"]
    first = spec("orders", nodes=[intake])
    editor.data(queries.UPDATE, id=workflow_id, expected=1, spec=first, message="my topic")

    # Version 3: also publish the clean orders to another topic.
    second = spec(
        "orders",
        nodes=[intake, node("forward", "kafka_publish", {"topic": f"{topic}_out"}, x=200)],
        edges=[{"source": "ingest.table", "target": "forward.table"}],
    )
    assert editor.data(queries.VALIDATE, spec=second) == {"validateWorkflow": []}
    saved = editor.data(queries.UPDATE, id=workflow_id, expected=2, spec=second)
    assert saved["updateWorkflow"]["number"] == 3

    result = editor.data(queries.PUBLISH, id=workflow_id, version=3)["publishWorkflow"]
    assert result["published"] is True, result["problems"]
    dag_id = result["dagId"]
    assert (stack.workflows_repo / result["dagFile"]).exists()

    airflow = stack.airflow()
    dag = airflow.wait_for_dag(dag_id, timeout=240)
    assert "version:3" in {tag["name"] for tag in dag["tags"]}
    assert not [e for e in airflow.import_errors() if dag_id in e.get("filename", "")]

    # The tenant's insights token is made first: the wait for the run's figures starts at its end.
    insights = Insights(stack, insights_api_token(stack, tenant.name))
    triggered = datetime.now(UTC)
    run = editor.data(queries.TRIGGER, id=workflow_id, conf={"reason": "e2e"})["triggerRun"]
    assert run["version"] == 3
    assert run["conf"] == {"reason": "e2e"}
    updates = watch(stack_builder, tenant, run["id"])
    final = {u["node"]["nodeId"]: u["node"] for u in updates if u["node"]}
    assert set(final) == {"ingest", "forward"}
    assert all(node["state"] == "success" for node in final.values()), updates
    assert updates[-1]["runState"] == "success"
    # Changes were streamed as they happened (queued, running, …), not only the end state.
    assert len([u for u in updates if u["node"]]) > len(final)

    status = tenant.viewer.data(queries.RUN, id=run["id"])["run"]
    assert status["state"] == "success"
    assert status["version"] == 3
    nodes = {n["nodeId"]: n for n in status["nodes"]}
    assert set(nodes) == {"ingest", "forward"}
    for task in nodes.values():
        assert task["state"] == "success"
        assert task["tryNumber"] >= 1
        assert task["start"] and task["end"]
        assert task["logUrl"].startswith(stack.airflow_url)
    roi_follows_the_run(stack, insights, tenant.name, second, run, since=triggered)

    # Restore version 2 (ingest only) as version 4, publish it and run it.
    restored = editor.data(queries.RESTORE, id=workflow_id, version=2)["restoreVersion"]
    assert restored["number"] == 4
    republished = editor.data(queries.PUBLISH, id=workflow_id, version=4)["publishWorkflow"]
    assert republished["published"] is True
    produce_orders(stack.kafka_bootstrap, tenant_topic, 2)
    again = editor.data(queries.TRIGGER, id=workflow_id)["triggerRun"]
    assert again["version"] == 4
    updates = watch(stack_builder, tenant, again["id"])
    assert {u["node"]["nodeId"] for u in updates if u["node"]} == {"ingest"}
    assert updates[-1]["runState"] == "success"
    status = tenant.viewer.data(queries.RUN, id=again["id"])["run"]
    assert [(n["nodeId"], n["state"]) for n in status["nodes"]] == [("ingest", "success")]
    # The first run still reports the version it ran.
    earlier = tenant.viewer.data(queries.RUN, id=run["id"])["run"]
    assert {n["nodeId"] for n in earlier["nodes"]} == {"ingest", "forward"}

    listed = tenant.viewer.data("{ runs { id version } }")["runs"]
    assert listed == [{"id": again["id"], "version": 4}, {"id": run["id"], "version": 3}]

    tenant.editor.data(queries.UNPUBLISH, id=workflow_id)
    assert not (stack.workflows_repo / f"{dag_id}.py").exists()
    deadline = time.monotonic() + 30
    while airflow.get_dag(dag_id) and not airflow.get_dag(dag_id)["is_paused"]:
        assert time.monotonic() < deadline, "the unpublished DAG was not paused"
        time.sleep(1)


def test_a_cancelled_run_ends_failed_and_the_stream_says_so(
    stack_builder: Builder, tenant: Tenant
) -> None:
    # An empty topic and a long read window: the run is still going when it is cancelled.
    document = spec("slow", nodes=[ingest(topic=f"empty_{tenant.name}", max_seconds=300)])
    created = tenant.editor.data(queries.CREATE, input={"name": "slow", "spec": document})
    workflow_id = created["createWorkflow"]["id"]
    tenant.editor.data(queries.PUBLISH, id=workflow_id, version=1)
    run = tenant.editor.data(queries.TRIGGER, id=workflow_id)["triggerRun"]
    # Cancelled once its node runs: a run Airflow still holds queued can be started by the
    # scheduler after the cancel marked it failed (docs/workflow_builder.md, cancelRun).
    deadline = time.monotonic() + 180
    while tenant.viewer.data(queries.RUN, id=run["id"])["run"]["nodes"][0]["state"] != "running":
        assert time.monotonic() < deadline, "the run's node never started"
        time.sleep(1)
    cancelled = tenant.editor.data(queries.CANCEL, id=run["id"])["cancelRun"]
    assert cancelled["recordedState"] == "failed"
    updates = watch(stack_builder, tenant, run["id"])
    assert updates[-1]["runState"] == "failed"
    assert tenant.viewer.data(queries.RUN, id=run["id"])["run"]["state"] == "failed"


@pytest.fixture
def mwaa_airflow(stack: LocalStack) -> Iterator[MwaaAirflowClient]:
    """MWAA's InvokeRestApi (the loopback stand-in), forwarding to the stack's Airflow."""
    with mwaa_server(stack.airflow_url, "admin", stack.admin_password) as server:
        mwaa = boto3.client(
            "mwaa",
            region_name="us-east-1",
            endpoint_url=server.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(inject_host_prefix=False),
        )
        mwaa.create_environment(
            Name="airloom-builder",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/airloom-mwaa",
            SourceBucketArn="arn:aws:s3:::airloom-mwaa",
            DagS3Path="dags",
            NetworkConfiguration={"SubnetIds": ["subnet-1", "subnet-2"]},
        )
        yield MwaaAirflowClient("airloom-builder", mwaa)


def test_runs_go_through_mwaa_the_same_way(
    stack: LocalStack,
    mwaa_airflow: MwaaAirflowClient,
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'builder.db'}",
        dags_folder=str(tmp_path / "dags"),
        dags_repository=stack.workflows_repo,
        run_poll_seconds=1.0,
        dag_parse_timeout_seconds=240,
    )
    with running_builder(settings, airflow_factory=lambda: mwaa_airflow) as builder:
        tenant = builder.tenant()
        # MWAA's InvokeRestApi cannot create roles: an admin onboards the tenant beforehand.
        assert ensure_tenant_roles(stack.airflow(), tenant.name)
        topic = f"orders_{tenant.name}"
        produce_orders(stack.kafka_bootstrap, TenantScope(tenant.name).topic(topic), 2)
        document = spec("via_mwaa", nodes=[ingest(topic=topic, max_seconds=5)])
        created = tenant.editor.data(queries.CREATE, input={"name": "via_mwaa", "spec": document})[
            "createWorkflow"
        ]
        published = tenant.editor.data(queries.PUBLISH, id=created["id"], version=1)
        assert published["publishWorkflow"]["published"] is True
        run = tenant.editor.data(queries.TRIGGER, id=created["id"])["triggerRun"]
        updates = watch(builder, tenant, run["id"])
        assert updates[-1]["runState"] == "success"
        (task,) = tenant.viewer.data(queries.RUN, id=run["id"])["run"]["nodes"]
        assert (task["nodeId"], task["state"]) == ("ingest", "success")
        assert task["logUrl"].startswith(mwaa_airflow.ui_url)
