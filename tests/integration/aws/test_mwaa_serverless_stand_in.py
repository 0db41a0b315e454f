"""The MWAA Serverless stand-in, through a plain boto3 ``mwaa-serverless`` client and moto's S3:
versions snapshotted as the service keeps them, its validation errors, and runs that really run
a version's definition (compiled by Airloom, loaded by dag-factory, run by ``dag.test()``),
each pinned to its version and confined to its tenant's lake area."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from airloom.datasets import read_table
from airloom.tenancy import TenantScope
from airloom.workflow.serverless.definition import compile_definition
from tests.harness.aws_stand_ins.mwaa_serverless import (
    hold_runs,
    mwaa_serverless_client,
    mwaa_serverless_runs,
    mwaa_serverless_workflows,
)
from tests.harness.aws_stand_ins.server import REGION, StandIn, aws_stand_in
from tests.harness.servers import RunningServer

ROLE = "arn:aws:iam::123456789012:role/airloom-tenant-{tenant}"
ARN = r"arn:aws:airflow-serverless:us-east-1:123456789012:workflow/{name}-[A-Za-z0-9]{{10}}"
FINISHED = {"SUCCESS", "FAILED", "STOPPED"}


@pytest.fixture(scope="module")
def stand_in(moto: RunningServer) -> Iterator[StandIn]:
    with aws_stand_in(moto.url) as server:
        yield server


@pytest.fixture(scope="module")
def serverless(stand_in: StandIn) -> Any:
    return mwaa_serverless_client(stand_in)


@pytest.fixture(scope="module")
def s3(moto: RunningServer) -> Any:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("s3", endpoint_url=moto.url, region_name=REGION, **keys)


@pytest.fixture(scope="module")
def bucket(s3: Any) -> str:
    """A versioned bucket for definitions and code packages, as Airloom's publisher uses."""
    name = f"airloom-serverless-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


@pytest.fixture(scope="module")
def runs_ready(airflow_db: Path, airloom_connections: dict[str, str]) -> None:
    """Runs go through dag.test() on this session's Airflow database and lake."""


def tenant_name() -> str:
    return f"t{uuid.uuid4().hex[:8]}"


def tickets_spec(*, values: list[str], recheck: bool = False) -> dict[str, Any]:
    """Files from the lake into a dataset, a quality gate on it, optionally a second gate
    downstream: work an MWAA Serverless worker does. No retries, so a failure is final."""
    gate = {
        "checks": [{"check": "allowed_values", "column": "channel", "values": values}],
        "output_dataset": "support/tickets_checked",
    }
    nodes: list[dict[str, Any]] = [
        {
            "id": "tickets",
            "type": "file_ingest",
            "params": {
                "source": "lake://landing/tickets/*.jsonl",
                "format": "jsonl",
                "dataset": "support/tickets",
            },
        },
        {"id": "checked", "type": "quality_gate", "params": gate},
    ]
    edges = [{"source": "tickets.table", "target": "checked.table"}]
    if recheck:
        rows = {"check": "row_count", "min": 1}
        params = {"checks": [rows], "output_dataset": "support/tickets_rechecked"}
        nodes.append({"id": "rechecked", "type": "quality_gate", "params": params})
        edges.append({"source": "checked.table", "target": "rechecked.table"})
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "tickets", "title": "Tickets"},
        "schedule": None,
        "defaults": {"retries": 0},
        "nodes": nodes,
        "edges": edges,
    }


def definition(tenant: str, version: int = 1, **spec: Any) -> tuple[str, str]:
    """(workflow name, definition text) as Airloom compiles them for ``tenant``."""
    compiled = compile_definition(
        tickets_spec(**{"values": ["mail", "phone"], **spec}),
        workflow_id="wf-1",
        version=version,
        scope=TenantScope(tenant),
    )
    return compiled.workflow_name, compiled.yaml_text


def stage_tickets(lake: Path, tenant: str, channels: list[str]) -> None:
    folder = lake / "tenants" / tenant / "landing" / "tickets"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": i, "channel": c}) for i, c in enumerate(channels)]
    (folder / "part-1.jsonl").write_text("\n".join(lines) + "\n")


def put(s3: Any, bucket: str, key: str, body: str | bytes) -> str:
    """Uploads ``body``; its S3 version id."""
    return s3.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"]


def create(serverless: Any, s3: Any, bucket: str, tenant: str, **spec: Any) -> dict[str, Any]:
    name, text = definition(tenant, **spec)
    put(s3, bucket, f"{tenant}/definition.yaml", text)
    return serverless.create_workflow(
        Name=name,
        DefinitionS3Location={"Bucket": bucket, "ObjectKey": f"{tenant}/definition.yaml"},
        RoleArn=ROLE.format(tenant=tenant),
    )


def finished(serverless: Any, arn: str, run_id: str, seconds: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        run = serverless.get_workflow_run(WorkflowArn=arn, RunId=run_id)
        if run["RunDetail"]["RunState"] in FINISHED or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


def task_instances(serverless: Any, arn: str, run_id: str) -> dict[str, dict[str, Any]]:
    """Each task instance of a run by task id: the summary lists ids, GetTaskInstance names."""
    found = {}
    listed = serverless.list_task_instances(WorkflowArn=arn, RunId=run_id)["TaskInstances"]
    for summary in listed:
        detail = serverless.get_task_instance(
            WorkflowArn=arn, RunId=run_id, TaskInstanceId=summary["TaskInstanceId"]
        )
        assert detail["Status"] == summary["Status"]
        found[detail["TaskId"]] = detail
    return found


def refusal(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, str]:
    """(code, field named, message) of an error answer."""
    response = error.value.response
    fields = response.get("FieldList") or [{"Name": response.get("ResourceType", "")}]
    return response["Error"]["Code"], fields[0]["Name"], response["Error"]["Message"]


# -- workflows and versions ----------------------------------------------------------------------


def test_a_version_keeps_the_definition_and_code_it_was_created_with(
    stand_in: StandIn, serverless: Any, s3: Any, bucket: str
) -> None:
    tenant = tenant_name()
    name, first = definition(tenant)
    key = f"{tenant}/definition.yaml"
    first_version = put(s3, bucket, key, first)
    code_version = put(s3, bucket, f"{tenant}/airloom.zip", b"code package 1")
    network = {"SubnetIds": ["subnet-0a1"], "SecurityGroupIds": ["sg-0b2"]}
    created = serverless.create_workflow(
        Name=name,
        DefinitionS3Location={"Bucket": bucket, "ObjectKey": key},
        Code={"S3Location": {"Bucket": bucket, "ObjectKey": f"{tenant}/airloom.zip"}},
        RoleArn=ROLE.format(tenant=tenant),
        Description="tickets of one tenant",
        NetworkConfiguration=network,
        Tags={"airloom:tenant": tenant},
    )
    arn = created["WorkflowArn"]
    assert re.fullmatch(ARN.format(name=name), arn)
    assert len(created["WorkflowVersion"]) == 32 and created["WorkflowVersion"].isalnum()
    assert (created["WorkflowStatus"], created["IsLatestVersion"]) == ("READY", True)

    # The object changes afterwards: the workflow keeps what it read.
    _, second = definition(tenant, version=2, recheck=True)
    second_version = put(s3, bucket, key, second)
    put(s3, bucket, f"{tenant}/airloom.zip", b"code package 2")
    got = serverless.get_workflow(WorkflowArn=arn)
    assert got["WorkflowDefinition"] == first
    assert got["RoleArn"] == ROLE.format(tenant=tenant)
    assert got["NetworkConfiguration"] == network
    recorded = mwaa_serverless_workflows(stand_in).get(name)
    assert recorded is not None
    assert recorded.latest.definition_version_id == first_version
    assert recorded.latest.code_version_id == code_version
    assert recorded.latest.task_ids == ("tickets", "checked")
    assert recorded.latest.tags == {"airloom:tenant": tenant}

    # A new version reads the object as it is now, under a new role; the first stays.
    updated = serverless.update_workflow(
        WorkflowArn=arn,
        DefinitionS3Location={"Bucket": bucket, "ObjectKey": key},
        RoleArn=ROLE.format(tenant=f"{tenant}-v2"),
    )
    assert updated["WorkflowVersion"] != created["WorkflowVersion"]
    versions = serverless.list_workflow_versions(WorkflowArn=arn)["WorkflowVersions"]
    latest = {v["WorkflowVersion"]: v["IsLatestVersion"] for v in versions}
    assert latest == {updated["WorkflowVersion"]: True, created["WorkflowVersion"]: False}
    old = serverless.get_workflow(WorkflowArn=arn, WorkflowVersion=created["WorkflowVersion"])
    assert (old["WorkflowDefinition"], old["RoleArn"]) == (first, ROLE.format(tenant=tenant))
    assert serverless.get_workflow(WorkflowArn=arn)["WorkflowDefinition"] == second
    recorded = mwaa_serverless_workflows(stand_in)[name]
    assert [v.definition_version_id for v in recorded.versions] == [first_version, second_version]
    # Code was not given again: the version keeps the package it had.
    assert recorded.latest.code_version_id == code_version
    assert recorded.latest.task_ids == ("tickets", "checked", "rechecked")


def test_what_the_service_refuses_is_refused_naming_the_field(
    serverless: Any, s3: Any, bucket: str
) -> None:
    tenant = tenant_name()
    name, text = definition(tenant)
    put(s3, bucket, f"{tenant}/definition.yaml", text)
    good = {
        "Name": name,
        "DefinitionS3Location": {"Bucket": bucket, "ObjectKey": f"{tenant}/definition.yaml"},
        "RoleArn": ROLE.format(tenant=tenant),
    }
    broken = {
        "Name": {**good, "Name": "tickets of acme"},
        "RoleArn": {**good, "RoleArn": "arn:aws:iam::123456789012:user/acme"},
        "Description": {**good, "Description": "x" * 1025},
        "Tags": {**good, "Tags": {f"k{i}": "v" for i in range(51)}},
    }
    for field, request in broken.items():
        with pytest.raises(ClientError) as error:
            serverless.create_workflow(**request)
        code, named, message = refusal(error)
        assert (code, named) == ("ValidationException", field), message
        assert field in message
        assert error.value.response["Reason"] == "fieldValidationFailed"

    missing = {**good, "DefinitionS3Location": {"Bucket": bucket, "ObjectKey": "nowhere.yaml"}}
    with pytest.raises(ClientError) as error:
        serverless.create_workflow(**missing)
    assert refusal(error)[:2] == ("ValidationException", "DefinitionS3Location")
    assert "nowhere.yaml" in refusal(error)[2]
    no_code = {**good, "Code": {"S3Location": {"Bucket": bucket, "ObjectKey": "airloom.zip"}}}
    with pytest.raises(ClientError) as error:
        serverless.create_workflow(**no_code)
    assert refusal(error)[:2] == ("ValidationException", "Code.S3Location")
    assert "airloom.zip" in refusal(error)[2]

    # A definition the loader cannot load is refused with the loader's own words.
    unknown = text.replace(
        "airloom.operators.quality.DataQualityOperator", "airloom.operators.nothing.NoOperator"
    )
    put(s3, bucket, f"{tenant}/broken.yaml", unknown)
    with pytest.raises(ClientError) as error:
        serverless.create_workflow(
            **{
                **good,
                "DefinitionS3Location": {"Bucket": bucket, "ObjectKey": f"{tenant}/broken.yaml"},
            }
        )
    code, named, message = refusal(error)
    assert (code, named) == ("ValidationException", "DefinitionS3Location")
    assert "airloom.operators.nothing" in message
    assert mwaa_serverless_workflows_named(serverless, name) == []

    # The same request again with its client token answers the first answer; a second
    # workflow of the same name is a conflict.
    first = serverless.create_workflow(**good, ClientToken="publish-1")
    assert serverless.create_workflow(**good, ClientToken="publish-1") == first
    with pytest.raises(ClientError) as error:
        serverless.create_workflow(**good)
    assert refusal(error)[:2] == ("ConflictException", "Workflow")
    assert mwaa_serverless_workflows_named(serverless, name) == [first["WorkflowArn"]]

    unknown_arn = first["WorkflowArn"][:-10] + "0123456789"
    with pytest.raises(ClientError) as error:
        serverless.update_workflow(
            WorkflowArn=unknown_arn,
            DefinitionS3Location=good["DefinitionS3Location"],
            RoleArn=good["RoleArn"],
        )
    assert refusal(error)[:2] == ("ResourceNotFoundException", "Workflow")
    with pytest.raises(ClientError) as error:
        serverless.start_workflow_run(WorkflowArn=first["WorkflowArn"], WorkflowVersion="f" * 32)
    assert refusal(error)[:2] == ("ResourceNotFoundException", "WorkflowVersion")


def test_tags_and_deletion_of_a_workflow_and_of_one_version(
    stand_in: StandIn, serverless: Any, s3: Any, bucket: str
) -> None:
    tenant = tenant_name()
    created = create(serverless, s3, bucket, tenant)
    arn, name = created["WorkflowArn"], mwaa_name(arn=created["WorkflowArn"])
    serverless.tag_resource(ResourceArn=arn, Tags={"airloom:tenant": tenant, "team": "support"})
    serverless.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert serverless.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"airloom:tenant": tenant}
    with pytest.raises(ClientError) as error:
        serverless.tag_resource(ResourceArn=arn, Tags={f"k{i}": "v" for i in range(50)})
    assert refusal(error)[:2] == ("ValidationException", "Tags")

    update = serverless.update_workflow(
        WorkflowArn=arn,
        DefinitionS3Location={"Bucket": bucket, "ObjectKey": f"{tenant}/definition.yaml"},
        RoleArn=ROLE.format(tenant=tenant),
    )
    serverless.delete_workflow(WorkflowArn=arn, WorkflowVersion=update["WorkflowVersion"])
    versions = serverless.list_workflow_versions(WorkflowArn=arn)["WorkflowVersions"]
    assert [(v["WorkflowVersion"], v["IsLatestVersion"]) for v in versions] == [
        (created["WorkflowVersion"], True)
    ]
    serverless.delete_workflow(WorkflowArn=arn)
    with pytest.raises(ClientError) as error:
        serverless.get_workflow(WorkflowArn=arn)
    assert refusal(error)[:2] == ("ResourceNotFoundException", "Workflow")
    assert name not in mwaa_serverless_workflows(stand_in)
    # The name is free again, under a new ARN.
    assert create(serverless, s3, bucket, tenant)["WorkflowArn"] != arn


def mwaa_name(arn: str) -> str:
    return arn.rsplit("/", 1)[1][:-11]


def mwaa_serverless_workflows_named(serverless: Any, name: str) -> list[str]:
    """The ARNs ListWorkflows answers for ``name``."""
    pages = serverless.get_paginator("list_workflows").paginate()
    return [w["WorkflowArn"] for p in pages for w in p["Workflows"] if w["Name"] == name]


# -- runs ----------------------------------------------------------------------------------------


def test_a_run_really_runs_its_version_and_reports_each_task(
    runs_ready: None, stand_in: StandIn, serverless: Any, s3: Any, bucket: str, lake: Path
) -> None:
    tenant, neighbour = tenant_name(), tenant_name()
    stage_tickets(lake, tenant, ["mail", "phone", "mail"])
    stage_tickets(lake, neighbour, ["mail"] * 5)  # the same place in another tenant's area
    created = create(serverless, s3, bucket, tenant)
    arn = created["WorkflowArn"]

    started = serverless.start_workflow_run(WorkflowArn=arn, OverrideParameters={"day": "mon"})
    assert started["Status"] in {"QUEUED", "STARTING"}
    run = finished(serverless, arn, started["RunId"])

    detail = run["RunDetail"]
    assert detail["RunState"] == "SUCCESS", detail
    assert run["WorkflowVersion"] == detail["WorkflowVersion"] == created["WorkflowVersion"]
    assert (run["RunType"], run["OverrideParameters"]) == ("ON_DEMAND", {"day": "mon"})
    assert detail["CompletedOn"] >= detail["StartedOn"] >= detail["CreatedAt"]
    tasks = task_instances(serverless, arn, started["RunId"])
    assert {task_id: t["Status"] for task_id, t in tasks.items()} == {
        "tickets": "SUCCESS",
        "checked": "SUCCESS",
    }
    assert sorted(detail["TaskInstances"]) == sorted(t["TaskInstanceId"] for t in tasks.values())
    assert tasks["checked"]["OperatorName"] == "DataQualityOperator"
    assert tasks["checked"]["AttemptNumber"] == 1
    # The tenant's own rows were read and validated into its own area of the lake; the
    # other tenant's files at the same place were not touched.
    checked = json.loads(tasks["checked"]["Xcom"]["table"])
    assert f"tenants/{tenant}/support/tickets_checked" in checked
    assert read_table(checked).num_rows == 3
    assert not (lake / "tenants" / neighbour / "support").exists()
    recorded = mwaa_serverless_runs(stand_in)[started["RunId"]]
    assert recorded.override_parameters == {"day": "mon"}


def test_a_failed_task_fails_the_run_and_its_downstream_never_runs(
    runs_ready: None, serverless: Any, s3: Any, bucket: str, lake: Path
) -> None:
    tenant = tenant_name()
    stage_tickets(lake, tenant, ["mail", "fax"])
    arn = create(serverless, s3, bucket, tenant, recheck=True)["WorkflowArn"]

    run_id = serverless.start_workflow_run(WorkflowArn=arn)["RunId"]
    detail = finished(serverless, arn, run_id)["RunDetail"]

    assert detail["RunState"] == "FAILED"
    assert "checked" in detail["ErrorMessage"]
    tasks = task_instances(serverless, arn, run_id)
    assert {task_id: t["Status"] for task_id, t in tasks.items()} == {
        "tickets": "SUCCESS",
        "checked": "FAILED",
        "rechecked": "UPSTREAM_FAILED",
    }
    assert "1 of 2 rows quarantined" in tasks["checked"]["ErrorMessage"]


def test_a_held_run_keeps_its_version_while_a_new_one_is_published(
    runs_ready: None, stand_in: StandIn, serverless: Any, s3: Any, bucket: str, lake: Path
) -> None:
    tenant = tenant_name()
    stage_tickets(lake, tenant, ["mail", "phone"])
    created = create(serverless, s3, bucket, tenant)
    arn, first_version = created["WorkflowArn"], created["WorkflowVersion"]

    with hold_runs(stand_in):
        first = serverless.start_workflow_run(WorkflowArn=arn, ClientToken="run-1")["RunId"]
        again = serverless.start_workflow_run(WorkflowArn=arn, ClientToken="run-1")
        assert (again["RunId"], again["Status"]) == (first, "QUEUED")
        doomed = serverless.start_workflow_run(WorkflowArn=arn)["RunId"]
        # Version 2 is published while the run of version 1 waits.
        _, text = definition(tenant, version=2, recheck=True)
        put(s3, bucket, f"{tenant}/definition.yaml", text)
        second_version = serverless.update_workflow(
            WorkflowArn=arn,
            DefinitionS3Location={"Bucket": bucket, "ObjectKey": f"{tenant}/definition.yaml"},
            RoleArn=ROLE.format(tenant=tenant),
        )["WorkflowVersion"]
        second = serverless.start_workflow_run(WorkflowArn=arn)["RunId"]
        waiting = serverless.get_workflow_run(WorkflowArn=arn, RunId=first)
        assert waiting["RunDetail"]["RunState"] == "QUEUED"
        assert waiting["WorkflowVersion"] == first_version
        # A run stopped before it started never runs.
        stopped = serverless.stop_workflow_run(WorkflowArn=arn, RunId=doomed)
        assert (stopped["Status"], stopped["WorkflowVersion"]) == ("STOPPED", first_version)

    ran_first = finished(serverless, arn, first)
    ran_second = finished(serverless, arn, second)
    assert ran_first["RunDetail"]["RunState"] == ran_second["RunDetail"]["RunState"] == "SUCCESS"
    assert ran_first["WorkflowVersion"] == first_version
    assert ran_second["WorkflowVersion"] == second_version
    assert set(task_instances(serverless, arn, first)) == {"tickets", "checked"}
    assert set(task_instances(serverless, arn, second)) == {"tickets", "checked", "rechecked"}
    never = serverless.get_workflow_run(WorkflowArn=arn, RunId=doomed)["RunDetail"]
    assert (never["RunState"], never.get("TaskInstances", [])) == ("STOPPED", [])
    runs = serverless.list_workflow_runs(WorkflowArn=arn, WorkflowVersion=first_version)
    assert {r["RunId"] for r in runs["WorkflowRuns"]} == {first, doomed}
    assert mwaa_serverless_runs(stand_in)[second].task_states == {
        "tickets": "SUCCESS",
        "checked": "SUCCESS",
        "rechecked": "SUCCESS",
    }


def test_a_running_run_is_stopped_and_its_unfinished_tasks_never_finish(
    runs_ready: None, serverless: Any, s3: Any, bucket: str, lake: Path
) -> None:
    tenant = tenant_name()
    stage_tickets(lake, tenant, ["mail", "phone"])
    arn = create(serverless, s3, bucket, tenant, recheck=True)["WorkflowArn"]
    run_id = serverless.start_workflow_run(WorkflowArn=arn)["RunId"]
    deadline = time.monotonic() + 300
    while serverless.get_workflow_run(WorkflowArn=arn, RunId=run_id)["RunDetail"]["RunState"] in {
        "QUEUED",
        "STARTING",
    }:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    stopping = serverless.stop_workflow_run(WorkflowArn=arn, RunId=run_id)
    assert stopping["Status"] == "STOPPING"

    detail = finished(serverless, arn, run_id)["RunDetail"]
    assert detail["RunState"] == "STOPPED"
    statuses = {t["TaskId"]: t["Status"] for t in task_instances(serverless, arn, run_id).values()}
    assert statuses.get("rechecked", "CANCELLED") == "CANCELLED"
    assert set(statuses.values()) <= {"SUCCESS", "CANCELLED"}
    assert not (lake / "tenants" / tenant / "support" / "tickets_rechecked").exists()
