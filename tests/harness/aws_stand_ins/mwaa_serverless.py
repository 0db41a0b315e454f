"""Amazon MWAA Serverless in the stand-in: workflows whose versions really run.

moto has no MWAA Serverless. This speaks the service's JSON 1.0 protocol (botocore's model
``mwaa-serverless`` 2024-07-26, target prefix ``AmazonMWAAServerless``), so a plain boto3
``mwaa-serverless`` client pointed here (:func:`mwaa_serverless_client`) works unchanged.

Workflows (this module):

- ``CreateWorkflow`` checks the request against the model's shapes (name and role patterns,
  description length, at most 50 tags …: ``ValidationException`` naming the field), then
  **snapshots** the definition: it is read from moto's S3 at the given ``VersionId`` or the
  latest, and kept as text, so changing the object later changes nothing. The code package
  (``Code.S3Location``) is recorded with its S3 version; an absent object is a
  ``ValidationException`` naming it. The definition must load with dag-factory's loader (the
  format the service reads) into exactly one DAG: otherwise ``ValidationException`` with the
  loader's message. The answer: ARN ``arn:aws:airflow-serverless:us-east-1:123456789012:
  workflow/<name>-<10 alphanumerics>``, a 32-character ``WorkflowVersion``, ``READY``,
  ``IsLatestVersion``. The same ``Name`` twice is a ``ConflictException``; the same
  ``ClientToken`` with the same request answers the first answer again (with another request,
  ``ConflictException``).
- ``UpdateWorkflow`` makes a new version the same way. Optional settings it is not given
  (``Code``, ``Description``, network, logging, engine, trigger mode) are carried over from the
  latest version: an assumption, the model does not say.
- ``GetWorkflow`` (latest or a given version, with ``WorkflowDefinition``: the snapshot),
  ``ListWorkflows`` (latest version of each), ``ListWorkflowVersions``, ``DeleteWorkflow``
  (one version, or the workflow: its queued runs end ``STOPPED``), ``TagResource``,
  ``UntagResource``, ``ListTagsForResource``.

Runs and task instances: :mod:`.mwaa_serverless_runs`. What each version was created with:
:func:`mwaa_serverless_workflows`. Not modelled: the DAG id need not equal ``Name`` (Airloom
writes them equal; whether the service requires it is not known), encryption, logging and
schedules (a definition's cron is reported in ``ScheduleConfiguration``, never triggered).
"""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Any

import boto3

from tests.harness.aws_stand_ins import mwaa_serverless_runs as runs
from tests.harness.aws_stand_ins.mwaa_serverless_model import (
    PREFIX,
    check_request,
    conflict,
    now,
    page,
    validation_error,
)
from tests.harness.aws_stand_ins.mwaa_serverless_runs import hold_runs, mwaa_serverless_runs
from tests.harness.aws_stand_ins.mwaa_serverless_state import (
    Workflow,
    WorkflowRecord,
    WorkflowVersionRecord,
    code_version,
    load_definition,
    mwaa_serverless_workflows,
    read_definition,
    serverless,
    workflow,
)
from tests.harness.aws_stand_ins.server import ACCOUNT, REGION, StandIn

__all__ = [
    "WorkflowRecord",
    "WorkflowVersionRecord",
    "hold_runs",
    "mwaa_serverless_client",
    "mwaa_serverless_runs",
    "mwaa_serverless_workflows",
]
_ALPHANUMERIC = string.ascii_letters + string.digits
# Settings a new version takes from the request, else from the version before it.
_CARRIED = {
    "Description": "description",
    "NetworkConfiguration": "network_configuration",
    "LoggingConfiguration": "logging_configuration",
    "EngineVersion": "engine_version",
    "TriggerMode": "trigger_mode",
}


def mwaa_serverless_client(stand_in: StandIn) -> Any:
    """A boto3 ``mwaa-serverless`` client of the stand-in."""
    return boto3.client(
        "mwaa-serverless",
        endpoint_url=stand_in.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def create_workflow(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("CreateWorkflow", body)
    state = serverless(stand_in)
    token = body.get("ClientToken")
    request = {key: value for key, value in body.items() if key != "ClientToken"}
    with state.lock:
        if token in state.create_tokens:
            first_request, first_answer = state.create_tokens[token]
            if first_request != request:
                raise conflict(
                    "Workflow", body["Name"], "ClientToken was used with another request"
                )
            return first_answer
        _refuse_taken_name(state, body["Name"])
    created_at = now()
    arn = f"arn:aws:airflow-serverless:{REGION}:{ACCOUNT}:workflow/{body['Name']}-" + "".join(
        secrets.choice(_ALPHANUMERIC) for _ in range(10)
    )
    flow = Workflow(
        name=body["Name"],
        arn=arn,
        created_at=created_at,
        encryption_configuration=body.get("EncryptionConfiguration"),
        tags=dict(body.get("Tags") or {}),
    )
    record = _new_version(stand_in, flow, body, previous=None)
    with state.lock:
        _refuse_taken_name(state, body["Name"])  # a create that raced this one
        flow.versions.append(record)
        flow.revision_id = str(uuid.uuid4())
        state.workflows[arn] = flow
        answer = {
            "WorkflowArn": arn,
            "CreatedAt": created_at,
            "RevisionId": flow.revision_id,
            "WorkflowStatus": "READY",
            "WorkflowVersion": record.version,
            "IsLatestVersion": True,
        }
        if token:
            state.create_tokens[token] = (request, answer)
    return answer


def update_workflow(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("UpdateWorkflow", body)
    flow = workflow(stand_in, body["WorkflowArn"])
    record = _new_version(stand_in, flow, body, previous=flow.versions[-1])
    state = serverless(stand_in)
    with state.lock:
        workflow(stand_in, body["WorkflowArn"])  # not deleted meanwhile
        flow.versions.append(record)
        flow.revision_id = str(uuid.uuid4())
    return {
        "WorkflowArn": flow.arn,
        "ModifiedAt": record.created_at,
        "WorkflowVersion": record.version,
    }


def get_workflow(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("GetWorkflow", body)
    flow = workflow(stand_in, body["WorkflowArn"])
    record = flow.version(body.get("WorkflowVersion"))
    answer = {
        "WorkflowArn": flow.arn,
        "WorkflowVersion": record.version,
        "Name": flow.name,
        "CreatedAt": flow.created_at,
        "ModifiedAt": record.created_at,
        "WorkflowStatus": "READY",
        "DefinitionS3Location": record.definition_location,
        "RoleArn": record.role_arn,
        "WorkflowDefinition": record.definition_text,
        "Description": record.description,
        "EncryptionConfiguration": flow.encryption_configuration,
        "LoggingConfiguration": record.logging_configuration,
        "EngineVersion": record.engine_version,
        "NetworkConfiguration": record.network_configuration,
        "TriggerMode": record.trigger_mode,
    }
    if record.code_location is not None:
        answer["Code"] = {"S3Location": record.code_location}
        answer["CodeSnapshottedAt"] = record.code_snapshotted_at
    if record.schedule:
        answer["ScheduleConfiguration"] = {"CronExpression": record.schedule}
    return {key: value for key, value in answer.items() if value is not None}


def list_workflows(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("ListWorkflows", body)
    state = serverless(stand_in)
    with state.lock:
        flows = sorted(state.workflows.values(), key=lambda flow: flow.created_at)
        summaries = [
            _without_none(
                {
                    "WorkflowArn": flow.arn,
                    "WorkflowVersion": flow.versions[-1].version,
                    "Name": flow.name,
                    "Description": flow.versions[-1].description,
                    "CreatedAt": flow.created_at,
                    "ModifiedAt": flow.versions[-1].created_at,
                    "WorkflowStatus": "READY",
                    "TriggerMode": flow.versions[-1].trigger_mode,
                }
            )
            for flow in flows
        ]
    return page(summaries, body, "Workflows")


def list_workflow_versions(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("ListWorkflowVersions", body)
    flow = workflow(stand_in, body["WorkflowArn"])
    latest = flow.versions[-1].version
    summaries = [
        _without_none(
            {
                "WorkflowVersion": record.version,
                "WorkflowArn": flow.arn,
                "IsLatestVersion": record.version == latest,
                "CreatedAt": record.created_at,
                "ModifiedAt": record.created_at,
                "DefinitionS3Location": record.definition_location,
                "ScheduleConfiguration": (
                    {"CronExpression": record.schedule} if record.schedule else None
                ),
                "TriggerMode": record.trigger_mode,
            }
        )
        for record in reversed(flow.versions)
    ]
    return page(summaries, body, "WorkflowVersions")


def delete_workflow(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("DeleteWorkflow", body)
    state = serverless(stand_in)
    with state.lock:
        flow = workflow(stand_in, body["WorkflowArn"])
        version = body.get("WorkflowVersion")
        if version is not None and len(flow.versions) > 1:
            flow.versions.remove(flow.version(version))
        else:
            flow.version(version)  # an unknown version is not found
            del state.workflows[flow.arn]
    runs.stop_runs_of(stand_in, flow.arn, version)
    return _without_none({"WorkflowArn": flow.arn, "WorkflowVersion": version})


def tag_resource(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("TagResource", body)
    state = serverless(stand_in)
    with state.lock:
        flow = workflow(stand_in, body["ResourceArn"])
        tags = {**flow.tags, **body["Tags"]}
        if len(tags) > 50:
            raise validation_error(
                "Tags", f"A workflow may have 50 tags; it would have {len(tags)}"
            )
        flow.tags = tags
    return {}


def untag_resource(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("UntagResource", body)
    state = serverless(stand_in)
    with state.lock:
        flow = workflow(stand_in, body["ResourceArn"])
        flow.tags = {k: v for k, v in flow.tags.items() if k not in body["TagKeys"]}
    return {}


def list_tags_for_resource(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    check_request("ListTagsForResource", body)
    return {"Tags": dict(workflow(stand_in, body["ResourceArn"]).tags)}


def _refuse_taken_name(state: Any, name: str) -> None:
    if any(flow.name == name for flow in state.workflows.values()):
        raise conflict("Workflow", name, f"A workflow named {name} already exists")


def _new_version(
    stand_in: StandIn,
    flow: Workflow,
    body: dict[str, Any],
    previous: WorkflowVersionRecord | None,
) -> WorkflowVersionRecord:
    """A version made from the request, its definition and code snapshotted now."""
    location = dict(body["DefinitionS3Location"])
    text, definition_version = read_definition(stand_in, location)
    dag = load_definition(text)
    if "Code" in body:
        code = (body["Code"] or {}).get("S3Location")
        code_version_id = code_version(stand_in, code) if code else None
        code_at = now() if code else None
    elif previous is not None:
        code = previous.code_location
        code_version_id, code_at = previous.code_version_id, previous.code_snapshotted_at
    else:
        code, code_version_id, code_at = None, None, None
    carried = {
        attribute: body.get(key, getattr(previous, attribute) if previous else None)
        for key, attribute in _CARRIED.items()
    }
    schedule = dag.schedule if isinstance(dag.schedule, str) else None
    return WorkflowVersionRecord(
        workflow_arn=flow.arn,
        name=flow.name,
        version=uuid.uuid4().hex,
        created_at=now(),
        role_arn=body["RoleArn"],
        definition_location=location,
        definition_version_id=definition_version,
        definition_text=text,
        dag_id=dag.dag_id,
        task_ids=tuple(dag.task_ids),
        schedule=schedule,
        code_location=dict(code) if code else None,
        code_version_id=code_version_id,
        code_snapshotted_at=code_at,
        tags=dict(flow.tags),
        **carried,
    )


def _without_none(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if value is not None}


TARGETS = {
    f"{PREFIX}.CreateWorkflow": create_workflow,
    f"{PREFIX}.UpdateWorkflow": update_workflow,
    f"{PREFIX}.GetWorkflow": get_workflow,
    f"{PREFIX}.ListWorkflows": list_workflows,
    f"{PREFIX}.ListWorkflowVersions": list_workflow_versions,
    f"{PREFIX}.DeleteWorkflow": delete_workflow,
    f"{PREFIX}.TagResource": tag_resource,
    f"{PREFIX}.UntagResource": untag_resource,
    f"{PREFIX}.ListTagsForResource": list_tags_for_resource,
    **runs.RUN_TARGETS,
}
