"""Publishing to and running on Amazon MWAA Serverless through the builder's GraphQL API.

The builder is configured for the MWAA Serverless target: definitions and the code package in a
versioned bucket on moto's S3, the service is the loopback stand-in, which really runs each
version's definition (dag-factory's loader, ``dag.test()``) on this session's lake and Airflow
database. Designs use worker-only node types (file_ingest, quality_gate).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.harness.aws_stand_ins.mwaa_serverless import (
    hold_runs,
    mwaa_serverless_runs,
    mwaa_serverless_workflows,
)
from tests.harness.aws_stand_ins.server import REGION, StandIn, aws_stand_in
from tests.harness.servers import RunningServer
from tests.integration.builder import queries
from tests.integration.builder.api import Api, Builder, Tenant, running_builder, subscribe
from workflow_builder_api.core.config import Settings
from workflow_builder_api.core.db import transaction
from workflow_builder_api.models import Workflow, utcnow
from workflow_builder_api.services.auth import create_token

ROLE = "arn:aws:iam::123456789012:role/airloom-{tenant}-workflows"
CODE_KEY = "code/airloom-code.zip"
LOG_GROUP = "/airloom-test/workflows/{tenant}"  # each tenant's own, as Terraform makes them
PUBLISH = """mutation($id: ID!, $version: Int!) {
  publishWorkflow(id: $id, version: $version) {
    published dagId dagFile problems { code message nodeId field }
    workflow { publishedVersion publishedDagFile publishTarget }
  }
}"""
RUN = """query($id: ID!) {
  run(id: $id) { id version state nodes { nodeId state tryNumber error logUrl } }
}"""
TARGET = "query($id: ID!) { workflow(id: $id) { publishTarget publishedVersion } }"
GRANT = "mutation($input: GrantInput!) { grant(input: $input) { id } }"
REVOKE = """mutation($id: ID!) {
  revokeGrant(id: $id) {
    republished { id }
    withdrawn { workflow { id publishedVersion } problems { code nodeId field } }
  }
}"""


@pytest.fixture(scope="module")
def stand_in(moto: RunningServer) -> Iterator[StandIn]:
    with aws_stand_in(moto.url) as server:
        yield server


@pytest.fixture(scope="module")
def s3(moto: RunningServer) -> Any:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("s3", endpoint_url=moto.url, region_name=REGION, **keys)


@pytest.fixture(scope="module")
def bucket(s3: Any) -> str:
    """The versioned bucket of definitions and the code package (any small zip here)."""
    name = f"airloom-serverless-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=name, Key=CODE_KEY, Body=b"PK\x05\x06" + b"\0" * 18)
    return name


def serverless_builder(
    folder: Path, moto: RunningServer, stand_in: StandIn, bucket: str, code_key: str = CODE_KEY
) -> Any:
    settings = Settings(
        database_url=f"sqlite:///{folder / 'builder.db'}",
        templates_folder=folder,
        publish_target="mwaa_serverless",
        serverless_definitions=f"s3://{bucket}/definitions",
        serverless_code_package=f"s3://{bucket}/{code_key}",
        serverless_role_arn_pattern=ROLE,
        serverless_endpoint_url=stand_in.url,
        aws_endpoint_url=moto.url,
        aws_region=REGION,
        run_poll_seconds=0.3,
        serverless_private_network=True,  # sql_ingest may be placed (the revocation test)
        serverless_log_group=LOG_GROUP,
    )
    return running_builder(settings)


@pytest.fixture(scope="module")
def builder(
    tmp_path_factory: pytest.TempPathFactory,
    moto: RunningServer,
    stand_in: StandIn,
    bucket: str,
    airflow_db: Path,
    airloom_connections: dict[str, str],
) -> Iterator[Builder]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        folder = tmp_path_factory.mktemp("serverless-builder")
        with serverless_builder(folder, moto, stand_in, bucket) as running:
            yield running


def tickets_spec(name: str, *, channels: list[str], recheck: bool = False) -> dict[str, Any]:
    """Files from the tenant's lake area into a dataset and a quality gate on it (optionally
    a second gate downstream); no retries, so a failure is final."""
    gate = {
        "checks": [{"check": "allowed_values", "column": "channel", "values": channels}],
        "output_dataset": f"{name}/checked",
    }
    nodes: list[dict[str, Any]] = [
        {
            "id": "tickets",
            "type": "file_ingest",
            "params": {
                "source": "lake://landing/tickets/*.jsonl",
                "format": "jsonl",
                "dataset": f"{name}/tickets",
            },
        },
        {"id": "checked", "type": "quality_gate", "params": gate},
    ]
    edges = [{"source": "tickets.table", "target": "checked.table"}]
    if recheck:
        params = {"checks": [{"check": "row_count", "min": 1}], "output_dataset": f"{name}/again"}
        nodes.append({"id": "rechecked", "type": "quality_gate", "params": params})
        edges.append({"source": "checked.table", "target": "rechecked.table"})
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": name, "title": name.title(), "description": "Support tickets"},
        "defaults": {"retries": 0},
        "nodes": nodes,
        "edges": edges,
    }


def stage_tickets(lake: Path, tenant: str, channels: list[str]) -> None:
    folder = lake / "tenants" / tenant / "landing" / "tickets"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": i, "channel": c}) for i, c in enumerate(channels)]
    (folder / "part-1.jsonl").write_text("\n".join(lines) + "\n")


def create(api: Api, spec: dict[str, Any]) -> str:
    name = spec["metadata"]["name"]
    return api.data(queries.CREATE, input={"name": name, "spec": spec})["createWorkflow"]["id"]


def publish(api: Api, workflow_id: str, version: int = 1) -> dict[str, Any]:
    return api.data(PUBLISH, id=workflow_id, version=version)["publishWorkflow"]


def trigger(api: Api, workflow_id: str, conf: dict[str, Any] | None = None) -> dict[str, Any]:
    return api.data(queries.TRIGGER, id=workflow_id, conf=conf)["triggerRun"]


def finished(api: Api, run_id: str, seconds: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        run = api.data(RUN, id=run_id)["run"]
        if run["state"] in {"success", "failed"} or time.monotonic() > deadline:
            return run
        time.sleep(0.3)


def node_states(run: dict[str, Any]) -> dict[str, str | None]:
    return {node["nodeId"]: node["state"] for node in run["nodes"]}


def published_tickets(builder: Builder, lake: Path, **spec: Any) -> tuple[Tenant, str, str]:
    """A fresh tenant with tickets in its lake area and a published tickets workflow."""
    tenant = builder.tenant()
    stage_tickets(lake, tenant.name, ["mail", "phone", "mail"])
    workflow_id = create(
        tenant.editor, tickets_spec("tickets", **{"channels": ["mail", "phone"], **spec})
    )
    result = publish(tenant.editor, workflow_id)
    assert result["published"], result["problems"]
    return tenant, workflow_id, result["dagId"]


def test_a_published_workflow_is_created_under_its_tenants_role_and_runs_there(
    builder: Builder, stand_in: StandIn, s3: Any, bucket: str, lake: Path
) -> None:
    tenant = builder.tenant()
    stage_tickets(lake, tenant.name, ["mail", "phone", "mail"])
    workflow_id = create(tenant.editor, tickets_spec("tickets", channels=["mail", "phone"]))
    assert tenant.viewer.data(TARGET, id=workflow_id)["workflow"] == {
        "publishTarget": "MWAA_SERVERLESS",
        "publishedVersion": None,
    }
    result = publish(tenant.editor, workflow_id)
    assert result["published"], result["problems"]
    assert result["dagFile"] is None  # no file: a workflow of the service
    assert result["workflow"] == {
        "publishedVersion": 1,
        "publishedDagFile": None,
        "publishTarget": "MWAA_SERVERLESS",
    }

    # CreateWorkflow: the tenant's role, the definition's and the code package's S3 versions.
    dag_id = result["dagId"]
    created = mwaa_serverless_workflows(stand_in)[dag_id]
    version = created.latest
    assert version.role_arn == ROLE.format(tenant=tenant.name)
    key = f"definitions/{tenant.name}/{dag_id}/definition.yaml"
    definition = s3.head_object(Bucket=bucket, Key=key)
    assert definition["ContentType"] == "text/yaml"
    assert version.definition_location == {
        "Bucket": bucket,
        "ObjectKey": key,
        "VersionId": definition["VersionId"],
    }
    assert version.code_version_id == s3.head_object(Bucket=bucket, Key=CODE_KEY)["VersionId"]
    assert version.code_location == {
        "Bucket": bucket,
        "ObjectKey": CODE_KEY,
        "VersionId": version.code_version_id,
    }
    assert created.tags == {"airloom:tenant": tenant.name, "airloom:workflow": "tickets"}
    assert version.description.startswith("Tickets: Support tickets")
    assert version.task_ids == ("tickets", "checked")
    group = LOG_GROUP.format(tenant=tenant.name)
    assert version.logging_configuration == {"LogGroupName": group}

    # A run: every node ends success, states in Airflow's words, streamed by runUpdates.
    run = trigger(tenant.editor, workflow_id, {"day": "mon"})
    assert run["version"] == 1
    updates = [
        payload["data"]["runUpdates"]
        for payload in subscribe(
            builder.client, tenant.viewer.token, queries.RUN_UPDATES, {"runId": run["id"]}
        )
    ]
    assert updates[-1]["runState"] == "success"
    assert {u["node"]["state"] for u in updates if u["node"]} <= {
        None,
        "scheduled",
        "queued",
        "running",
        "success",
    }
    done = finished(tenant.viewer, run["id"])
    assert done["state"] == "success"
    assert node_states(done) == {"tickets": "success", "checked": "success"}
    assert {node["error"] for node in done["nodes"]} == {None}
    assert {node["tryNumber"] for node in done["nodes"]} == {1}
    # Each node links to its log in the tenant's own log group (CloudWatch's console).
    encoded = group.replace("/", "$252F")
    assert all(f"log-group/{encoded}/log-events/" in node["logUrl"] for node in done["nodes"])
    recorded = mwaa_serverless_runs(stand_in)[run["airflowRunId"]]
    assert recorded.workflow_version == version.version  # pinned to the published version
    assert recorded.override_parameters == {"day": "mon"}
    listed = tenant.viewer.data("{ runs { id recordedState } }")["runs"]
    assert {"id": run["id"], "recordedState": "success"} in listed

    # What the service has no API for says so, rather than answering something wrong.
    retry = tenant.editor.error(
        'mutation($id: ID!) { retryRun(id: $id, fromNode: "checked") { id } }', id=run["id"]
    )
    assert "not available on MWAA Serverless" in retry["message"]
    logs = tenant.viewer.error(
        "query($id: ID!) { run(id: $id) { nodes { logTail } } }", id=run["id"]
    )
    assert "not available on MWAA Serverless" in logs["message"]


def test_a_failing_node_fails_its_run_and_says_why(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    # "phone" is not an allowed channel: the gate fails, and so the run.
    tenant, workflow_id, _ = published_tickets(builder, lake, channels=["mail"])
    run = trigger(tenant.editor, workflow_id)
    done = finished(tenant.viewer, run["id"])
    assert done["state"] == "failed"
    assert node_states(done) == {"tickets": "success", "checked": "failed"}
    (checked,) = [node for node in done["nodes"] if node["nodeId"] == "checked"]
    # Why, in one line: the summary the gate recorded, as the service reports it.
    assert checked["error"].startswith("Data quality FAILED for ")
    assert "1 of 3 rows quarantined" in checked["error"]


def test_a_new_version_is_a_new_service_version_and_a_held_run_keeps_the_first(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    tenant, workflow_id, dag_id = published_tickets(builder, lake)
    first = mwaa_serverless_workflows(stand_in)[dag_id].latest.version
    with hold_runs(stand_in):
        held = trigger(tenant.editor, workflow_id)
        second_spec = tickets_spec("tickets", channels=["mail", "phone"], recheck=True)
        tenant.editor.data(queries.UPDATE, id=workflow_id, expected=1, spec=second_spec)
        result = publish(tenant.editor, workflow_id, version=2)
        assert result["published"], result["problems"]
        versions = mwaa_serverless_workflows(stand_in)[dag_id].versions
        assert len(versions) == 2  # UpdateWorkflow: the same workflow, a new version
        second = versions[-1].version
        assert second != first
        assert versions[-1].task_ids == ("tickets", "checked", "rechecked")
        assert versions[-1].role_arn == ROLE.format(tenant=tenant.name)
        newer = trigger(tenant.editor, workflow_id)
        assert tenant.viewer.data(RUN, id=held["id"])["run"]["state"] == "queued"
    done = finished(tenant.viewer, held["id"])
    assert (done["version"], done["state"]) == (1, "success")
    assert node_states(done) == {"tickets": "success", "checked": "success"}
    assert mwaa_serverless_runs(stand_in)[held["airflowRunId"]].workflow_version == first
    later = finished(tenant.viewer, newer["id"])
    assert (later["version"], later["state"]) == (2, "success")
    assert set(node_states(later)) == {"tickets", "checked", "rechecked"}
    assert mwaa_serverless_runs(stand_in)[newer["airflowRunId"]].workflow_version == second


def test_a_cancelled_run_stops_and_unpublishing_deletes_the_service_workflow(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    tenant, workflow_id, dag_id = published_tickets(builder, lake)
    with hold_runs(stand_in):
        run = trigger(tenant.editor, workflow_id)
        tenant.editor.data(queries.CANCEL, id=run["id"])
    done = finished(tenant.viewer, run["id"])
    assert done["state"] == "failed"  # STOPPED before it started
    assert mwaa_serverless_runs(stand_in)[run["airflowRunId"]].state == "STOPPED"

    tenant.editor.data(queries.UNPUBLISH, id=workflow_id)
    assert dag_id not in mwaa_serverless_workflows(stand_in)
    found = tenant.viewer.data(TARGET, id=workflow_id)["workflow"]
    assert found == {"publishTarget": "MWAA_SERVERLESS", "publishedVersion": None}
    tenant.editor.data(queries.UNPUBLISH, id=workflow_id)  # again: nothing to do


def test_another_tenant_can_neither_see_nor_run_nor_stop_a_tenants_workflow(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    owner, workflow_id, dag_id = published_tickets(builder, lake)
    other, _, other_dag_id = published_tickets(builder, lake)
    with hold_runs(stand_in):
        run = trigger(owner.editor, workflow_id)
        for attempt in (
            other.viewer.error(TARGET, id=workflow_id),
            other.editor.error(queries.TRIGGER, id=workflow_id),
            other.viewer.error(RUN, id=run["id"]),
            other.editor.error(queries.CANCEL, id=run["id"]),
        ):
            assert attempt["extensions"]["code"] == "NOT_FOUND"
        assert run["id"] not in {r["id"] for r in other.viewer.data("{ runs { id } }")["runs"]}
    assert finished(owner.viewer, run["id"])["state"] == "success"
    # Each tenant's workflow was only ever given its own role.
    workflows = mwaa_serverless_workflows(stand_in)
    assert {v.role_arn for v in workflows[dag_id].versions} == {ROLE.format(tenant=owner.name)}
    assert {v.role_arn for v in workflows[other_dag_id].versions} == {
        ROLE.format(tenant=other.name)
    }


def test_an_aws_refusal_leaves_the_workflow_unpublished_and_names_the_call(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    tenant = builder.tenant()
    workflow_id = create(tenant.editor, tickets_spec("refused", channels=["mail"]))
    stand_in.throttle("CreateWorkflow", times=20)  # past botocore's own retries
    try:
        result = publish(tenant.editor, workflow_id)
    finally:
        stand_in.reset()
    assert result["published"] is False
    (problem,) = result["problems"]
    assert problem["code"] == "SERVERLESS_CALL_FAILED"
    assert "CreateWorkflow" in problem["message"]
    assert "ThrottlingException" in problem["message"]
    assert tenant.viewer.data(TARGET, id=workflow_id)["workflow"]["publishedVersion"] is None
    assert f"wf-{tenant.name}-refused" not in mwaa_serverless_workflows(stand_in)
    # Once AWS answers again, the same publish goes through.
    assert publish(tenant.editor, workflow_id)["published"] is True


def test_a_missing_code_package_is_a_problem_naming_the_setting(
    tmp_path: Path,
    moto: RunningServer,
    stand_in: StandIn,
    bucket: str,
    builder: Builder,
    lake: Path,
) -> None:
    with serverless_builder(tmp_path, moto, stand_in, bucket, "code/never-uploaded.zip") as other:
        tenant = other.tenant()
        workflow_id = create(tenant.editor, tickets_spec("nocode", channels=["mail"]))
        result = publish(tenant.editor, workflow_id)
        assert result["published"] is False
        (problem,) = result["problems"]
        assert problem["code"] == "SERVERLESS_CALL_FAILED"
        assert "AIRLOOM_BUILDER_SERVERLESS_CODE_PACKAGE" in problem["message"]
        assert f"s3://{bucket}/code/never-uploaded.zip does not exist" in problem["message"]
        found = tenant.viewer.data(TARGET, id=workflow_id)["workflow"]
        assert found["publishedVersion"] is None
    assert f"wf-{tenant.name}-nocode" not in mwaa_serverless_workflows(stand_in)


def test_a_design_the_service_cannot_run_is_refused_before_anything_is_uploaded(
    builder: Builder, stand_in: StandIn, s3: Any, bucket: str
) -> None:
    tenant = builder.tenant()
    spec = tickets_spec("onceonly", channels=["mail"])
    spec["schedule"] = "@once"  # no cron: MWAA Serverless cannot express it
    workflow_id = create(tenant.editor, spec)
    result = publish(tenant.editor, workflow_id)
    assert result["published"] is False
    assert [(p["code"], p["field"]) for p in result["problems"]] == [
        ("SCHEDULE_NOT_SUPPORTED", "schedule")
    ]
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"definitions/{tenant.name}/")
    assert listed.get("KeyCount", 0) == 0


def test_revoking_a_grant_withdraws_the_workflows_that_needed_it_and_updates_the_rest(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    with transaction(builder.runtime.sessions) as session:
        token = create_token(session, tenant="platform", role="platform", name=uuid.uuid4().hex)
    platform = Api(builder.client, token)
    tenant, tickets_id, tickets_dag = published_tickets(builder, lake)
    conn_id = f"{tenant.name}_crm"
    grant = platform.data(
        GRANT, input={"tenant": tenant.name, "kind": "connection", "name": conn_id}
    )
    crm = {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "crm"},
        "nodes": [
            {
                "id": "customers",
                "type": "sql_ingest",
                "params": {"sql": "SELECT id FROM customers", "conn_id": conn_id, "dataset": "crm"},
            }
        ],
        "edges": [],
    }
    crm_id = create(tenant.editor, crm)
    crm_dag = publish(tenant.editor, crm_id)["dagId"]
    assert crm_dag in mwaa_serverless_workflows(stand_in)

    revoked = platform.data(REVOKE, id=grant["grant"]["id"])["revokeGrant"]
    assert revoked["republished"] == [{"id": tickets_id}]
    (withdrawn,) = revoked["withdrawn"]
    assert withdrawn["workflow"] == {"id": crm_id, "publishedVersion": None}
    assert withdrawn["problems"] == [
        {"code": "NOT_GRANTED", "nodeId": "customers", "field": "nodes.0.params.conn_id"}
    ]
    workflows = mwaa_serverless_workflows(stand_in)
    assert crm_dag not in workflows  # DeleteWorkflow: it cannot run with the old grant
    assert len(workflows[tickets_dag].versions) == 2  # UpdateWorkflow in the scope as it is now


def test_a_workflow_the_builder_lost_track_of_is_updated_not_created_twice(
    builder: Builder, stand_in: StandIn, lake: Path
) -> None:
    tenant, workflow_id, dag_id = published_tickets(builder, lake)
    arn = mwaa_serverless_workflows(stand_in)[dag_id].arn
    # The store forgets the publication (restored from a backup, say), edited since.
    with transaction(builder.runtime.sessions) as session:
        row = session.get(Workflow, workflow_id)
        assert row is not None
        row.published_version = row.published_location = row.published_dag_id = None
        row.publish_target = row.published_workflow_version = None
        row.updated_at = utcnow()
    result = publish(tenant.editor, workflow_id)
    assert result["published"], result["problems"]
    record = mwaa_serverless_workflows(stand_in)[dag_id]
    assert record.arn == arn  # CreateWorkflow's conflict on the name: the same workflow updated
    assert len(record.versions) == 2
