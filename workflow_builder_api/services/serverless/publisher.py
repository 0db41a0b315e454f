"""Publish a workflow version to Amazon MWAA Serverless.

The version's definition (``airloom.workflow.serverless``) is uploaded to a versioned bucket,
then the service's workflow is created, or updated, pointing at that object version and at the
code package's current object version, under the tenant's own execution role. AWS keeps each
update as a new workflow version; the one returned is what the builder pins runs to. Any AWS
refusal comes back as a problem naming the call, and nothing of the workflow's stored state
changes (the caller stores the result only on success).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from botocore.exceptions import BotoCoreError, ClientError

from airloom.tenancy import TenantScope
from airloom.workflow.problems import InvalidWorkflow, Problem
from airloom.workflow.serverless.definition import ServerlessDefinition, compile_definition
from airloom.workflow.serverless.placement import ServerlessTarget
from airloom.workflow.serverless.schema_rules import definition_problems
from workflow_builder_api.core.config import Settings
from workflow_builder_api.models import Workflow, WorkflowVersion
from workflow_builder_api.services.errors import ServiceCallFailed
from workflow_builder_api.services.serverless.glue_streaming import glue_streaming_setup
from workflow_builder_api.services.serverless.locations import S3Uri, parse_s3_uri
from workflow_builder_api.services.serverless.roles import (
    ROLE_ARN,
    tenant_log_group,
    tenant_role_arn,
)
from workflow_builder_api.services.serverless.sagemaker_training import (
    sagemaker_training_setup,
)

log = structlog.get_logger()
CALL_FAILED = "SERVERLESS_CALL_FAILED"
DEFINITION_FILE = "definition.yaml"
MAX_DESCRIPTION = 1024  # CreateWorkflow's Description


@dataclass(frozen=True)
class ServerlessConfig:
    """The deployment's MWAA Serverless settings, parsed once."""

    definitions: S3Uri
    code_package: S3Uri
    role_arn_pattern: str
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    log_group: str | None = None
    target: ServerlessTarget = field(default_factory=ServerlessTarget)

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerlessConfig:
        # Settings refuse to load without these when the target is chosen.
        definitions = settings.serverless_definitions
        package = settings.serverless_code_package
        pattern = settings.serverless_role_arn_pattern
        if not (definitions and package and pattern):
            raise ValueError(
                "MWAA Serverless publishing needs its definitions, code package and role"
            )
        return cls(
            definitions=parse_s3_uri(definitions, object_key=False),
            code_package=parse_s3_uri(package, object_key=True),
            role_arn_pattern=pattern,
            subnet_ids=tuple(settings.serverless_subnet_ids),
            security_group_ids=tuple(settings.serverless_security_group_ids),
            log_group=settings.serverless_log_group,
            target=ServerlessTarget(
                private_network=settings.serverless_private_network,
                internet=settings.serverless_internet,
                kafka_is_msk=settings.serverless_kafka_is_msk,
                spark_on_emr_serverless=settings.serverless_spark_on_emr_serverless,
                spark_stream_on_glue=settings.serverless_spark_stream_on_glue,
                glue_streaming=glue_streaming_setup(settings),
                sagemaker_training=settings.serverless_sagemaker_training,
                sagemaker=sagemaker_training_setup(settings),
            ),
        )


@dataclass(frozen=True)
class Deployment:
    """A version as the service holds it."""

    workflow_arn: str
    workflow_version: str
    definition: str  # s3://… of the uploaded definition, with its object version
    created: bool


class _Refused(Exception):
    """An AWS call failed: becomes a problem naming the call."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code  # AWS's error code, when it answered one
        self.problem = Problem(CALL_FAILED, message)


class ServerlessPublisher:
    """The builder's publish target on MWAA Serverless (one per app)."""

    def __init__(self, config: ServerlessConfig, s3: Any, mwaa: Any) -> None:
        self.config = config
        self._s3 = s3
        self._mwaa = mwaa

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerlessPublisher:
        import boto3

        s3 = boto3.client(
            "s3", endpoint_url=settings.aws_endpoint_url, region_name=settings.aws_region
        )
        return cls(ServerlessConfig.from_settings(settings), s3, serverless_client(settings))

    def deploy(
        self, workflow: Workflow, version: WorkflowVersion, scope: TenantScope
    ) -> Deployment | list[Problem]:
        """Compile, upload and create or update the service's workflow; the problems instead
        when the design cannot run there or AWS refuses."""
        try:
            definition = compile_definition(
                version.spec,
                workflow_id=workflow.id,
                version=version.number,
                scope=scope,
                target=self.config.target,
            )
        except InvalidWorkflow as exc:
            return list(exc.problems)
        found = definition_problems(definition.yaml_text)
        if found:
            return [Problem("SERVERLESS_DEFINITION", problem) for problem in found]
        role_arn = tenant_role_arn(self.config.role_arn_pattern, workflow.tenant)
        if not ROLE_ARN.fullmatch(role_arn):
            return [Problem(CALL_FAILED, f"{role_arn!r} is not an IAM role ARN")]
        try:
            return self._deploy(workflow, version, definition, role_arn)
        except _Refused as exc:
            log.warning("MWAA Serverless publish refused", workflow=workflow.id, error=str(exc))
            return [exc.problem]

    def withdraw(self, workflow_arn: str) -> None:
        """Delete the service's workflow (and so its schedule); gone already is fine."""
        try:
            self._mwaa.delete_workflow(WorkflowArn=workflow_arn)
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                return
            raise ServiceCallFailed(_refusal("DeleteWorkflow", exc)) from exc
        except BotoCoreError as exc:
            raise ServiceCallFailed(_refusal("DeleteWorkflow", exc)) from exc

    # -- steps -----------------------------------------------------------------------------

    def _deploy(
        self,
        workflow: Workflow,
        version: WorkflowVersion,
        definition: ServerlessDefinition,
        role_arn: str,
    ) -> Deployment:
        location = self.config.definitions.child(
            workflow.tenant, definition.dag_id, DEFINITION_FILE
        )
        definition_version = self._upload(location, definition.yaml_text)
        code_version = self._code_version()
        common: dict[str, Any] = {
            "DefinitionS3Location": {
                "Bucket": location.bucket,
                "ObjectKey": location.key,
                "VersionId": definition_version,
            },
            "Code": {
                "S3Location": {
                    "Bucket": self.config.code_package.bucket,
                    "ObjectKey": self.config.code_package.key,
                    "VersionId": code_version,
                }
            },
            "RoleArn": role_arn,
            "Description": _description(workflow, version),
            **self._placement(workflow.tenant),
        }
        current = (
            workflow.published_location if workflow.publish_target == "mwaa_serverless" else None
        )
        created = current is None
        if current is not None:
            answer = self._update(current, common)
            if answer is None:  # deleted outside the builder: create it again
                created = True
        if created:
            # The same publish retried (a lost answer, a failed commit) sends the same token,
            # so the service answers with the workflow it created rather than a conflict.
            token = hashlib.sha256(
                f"{workflow.id}\n{version.number}\n{workflow.updated_at.isoformat()}\n"
                f"{definition_version}".encode()
            ).hexdigest()
            arguments = {
                "Name": definition.workflow_name,
                "ClientToken": token,
                "Tags": {"airloom:tenant": workflow.tenant, "airloom:workflow": workflow.name},
                **common,
            }
            try:
                answer = self._call("CreateWorkflow", self._mwaa.create_workflow, **arguments)
            except _Refused as exc:
                conflict = exc.code == "ConflictException"
                existing = self._existing(definition.workflow_name) if conflict else None
                if existing is None:
                    raise
                # Created before, but the builder lost track (e.g. its store was restored).
                answer = self._update(existing, common) or {}
                created = False
        arn = answer["WorkflowArn"]
        workflow_version = answer.get("WorkflowVersion") or self._call(
            "GetWorkflow", self._mwaa.get_workflow, WorkflowArn=arn
        ).get("WorkflowVersion")
        if not workflow_version:
            raise _Refused(f"MWAA Serverless named no version of {arn} after publishing it")
        log.info(
            "workflow published to MWAA Serverless",
            workflow=workflow.id,
            version=version.number,
            arn=arn,
            workflow_version=workflow_version,
            created=created,
        )
        return Deployment(
            arn, workflow_version, f"{location}?versionId={definition_version}", created
        )

    def _update(self, arn: str, common: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return self._mwaa.update_workflow(WorkflowArn=arn, **common)
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                return None
            raise _Refused(_refusal("UpdateWorkflow", exc), _code(exc)) from exc
        except BotoCoreError as exc:
            raise _Refused(_refusal("UpdateWorkflow", exc)) from exc

    def _existing(self, name: str) -> str | None:
        """The ARN of the service's workflow called ``name``, if there is one."""
        pages = self._mwaa.get_paginator("list_workflows").paginate()
        try:
            for page in pages:
                for summary in page.get("Workflows") or []:
                    if summary.get("Name") == name:
                        return summary["WorkflowArn"]
        except (ClientError, BotoCoreError) as exc:
            raise _Refused(_refusal("ListWorkflows", exc)) from exc
        return None

    def _placement(self, tenant: str) -> dict[str, Any]:
        config = self.config
        found: dict[str, Any] = {}
        if config.subnet_ids or config.security_group_ids:
            found["NetworkConfiguration"] = {
                "SubnetIds": list(config.subnet_ids),
                "SecurityGroupIds": list(config.security_group_ids),
            }
        if config.log_group:
            group = tenant_log_group(config.log_group, tenant)
            found["LoggingConfiguration"] = {"LogGroupName": group}
        return found

    def _upload(self, location: S3Uri, text: str) -> str:
        """Upload the definition; its object version. An unchanged definition (a retried
        publish) keeps its current version, so the request AWS sees is the same."""
        body = text.encode("utf-8")
        etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
        try:
            head = self._s3.head_object(Bucket=location.bucket, Key=location.key)
        except ClientError:
            head = {}
        if head.get("ETag") == etag and head.get("VersionId") not in (None, "null"):
            return head["VersionId"]
        answer = self._call(
            "S3 PutObject",
            self._s3.put_object,
            Bucket=location.bucket,
            Key=location.key,
            Body=body,
            ContentType="text/yaml",
        )
        version = answer.get("VersionId")
        if version in (None, "null"):
            raise _Refused(
                f"the definitions bucket {location.bucket!r} keeps no object versions "
                "(AIRLOOM_BUILDER_SERVERLESS_DEFINITIONS must name a versioned bucket)"
            )
        return version

    def _code_version(self) -> str:
        package = self.config.code_package
        try:
            head = self._s3.head_object(Bucket=package.bucket, Key=package.key)
        except ClientError as exc:
            if _code(exc) in {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}:
                raise _Refused(
                    f"the code package {package} does not exist "
                    "(AIRLOOM_BUILDER_SERVERLESS_CODE_PACKAGE): build and upload it first"
                ) from exc
            raise _Refused(_refusal(f"S3 HeadObject of the code package {package}", exc)) from exc
        except BotoCoreError as exc:
            raise _Refused(_refusal(f"S3 HeadObject of the code package {package}", exc)) from exc
        version = head.get("VersionId")
        if version in (None, "null"):
            raise _Refused(
                f"the code package {package} has no object version: its bucket must keep "
                "versions, so each workflow version keeps the code it was published with"
            )
        return version

    def _call(self, name: str, operation: Callable[..., Any], **arguments: Any) -> Any:
        try:
            return operation(**arguments)
        except ClientError as exc:
            raise _Refused(_refusal(name, exc), _code(exc)) from exc
        except BotoCoreError as exc:
            raise _Refused(_refusal(name, exc)) from exc


def serverless_client(settings: Settings) -> Any:
    """boto3's ``mwaa-serverless`` client, at the configured endpoint."""
    import boto3

    return boto3.client(
        "mwaa-serverless",
        endpoint_url=settings.serverless_endpoint_url,
        region_name=settings.aws_region,
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _refusal(call: str, exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        detail = f"{error.get('Code', 'Error')}: {error.get('Message', '')}".rstrip(": ")
        return f"MWAA Serverless publishing failed at {call}: {detail}"
    return f"MWAA Serverless publishing failed at {call}: {exc}"


def _description(workflow: Workflow, version: WorkflowVersion) -> str:
    """The title and the design's description, on one line (the service's pattern is ``.+``)."""
    metadata = version.spec.get("metadata") if isinstance(version.spec, dict) else None
    described = metadata.get("description") if isinstance(metadata, dict) else None
    title = workflow.title or f"Airloom workflow {workflow.name}"
    text = " ".join(f"{title}: {described}".split() if described else title.split())
    return f"{text} (tenant {workflow.tenant}, version {version.number})"[:MAX_DESCRIPTION]
