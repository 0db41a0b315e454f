"""Publishing to Amazon MWAA Serverless through the builder's GraphQL API: each version created
under its tenant's role from the definition's and the code package's S3 versions, and what
the builder does when AWS, the settings or the design stand in the way."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.harness.aws_stand_ins.mwaa_serverless import (
    mwaa_serverless_runs,
    mwaa_serverless_workflows,
)
from tests.harness.aws_stand_ins.server import StandIn
from tests.harness.servers import RunningServer
from tests.integration.builder import queries
from tests.integration.builder.api import Api, Builder, subscribe
from tests.integration.builder.mwaa_serverless.serverless import (
    CODE_KEY,
    GROUP,
    LOG_GROUP,
    ROLE,
    TARGET,
    create,
    finished,
    node_states,
    publish,
    published_tickets,
    serverless_builder,
    stage_tickets,
    tickets_spec,
    trigger,
)
from workflow_builder_api.core.db import transaction
from workflow_builder_api.models import Workflow, utcnow
from workflow_builder_api.services.auth import create_token

pytestmark = pytest.mark.xdist_group(GROUP)

GRANT = "mutation($input: GrantInput!) { grant(input: $input) { id } }"
REVOKE = """mutation($id: ID!) {
  revokeGrant(id: $id) {
    republished { id }
    withdrawn { workflow { id publishedVersion } problems { code nodeId field } }
  }
}"""


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
