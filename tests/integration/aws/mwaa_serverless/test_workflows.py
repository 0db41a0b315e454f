"""Workflows and their versions on the MWAA Serverless stand-in: each version snapshotted as
the service keeps it (definition, code, role), the service's validation errors naming the
field, tags, and deleting a workflow or one of its versions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness.aws_stand_ins.mwaa_serverless import mwaa_serverless_workflows
from tests.harness.aws_stand_ins.server import StandIn
from tests.integration.aws.mwaa_serverless.definitions import (
    GROUP,
    ROLE,
    create,
    definition,
    put,
    tenant_name,
)

pytestmark = pytest.mark.xdist_group(GROUP)

ARN = r"arn:aws:airflow-serverless:us-east-1:123456789012:workflow/{name}-[A-Za-z0-9]{{10}}"


def refusal(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, str]:
    """(code, field named, message) of an error answer."""
    response = error.value.response
    fields = response.get("FieldList") or [{"Name": response.get("ResourceType", "")}]
    return response["Error"]["Code"], fields[0]["Name"], response["Error"]["Message"]


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
