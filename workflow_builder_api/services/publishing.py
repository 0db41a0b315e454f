"""Publish a workflow version as one DAG file (to a local dags folder or an MWAA bucket), or
as a workflow of Amazon MWAA Serverless (:mod:`.serverless.publisher`).

A version is validated in its tenant's scope (and quota) first, then compiled and imported by
Airflow's DagBag, or compiled into the service's definition, before anything is written; a
design that fails any step returns its problems and publishes nothing. The file is written
atomically, so Airflow never parses half a file, and a new version replaces the old file.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from airloom.tenancy import TenantScope
from airloom.workflow.compiler import DagImportError, check_imports, compile_workflow
from airloom.workflow.factory import dag_id_for
from airloom.workflow.validation import Problem, validate
from workflow_builder_api.core.config import Settings
from workflow_builder_api.models import Workflow, WorkflowVersion, utcnow
from workflow_builder_api.services.auth import Principal, Role
from workflow_builder_api.services.errors import Conflict
from workflow_builder_api.services.serverless.publisher import ServerlessPublisher
from workflow_builder_api.services.tenants import scope_for
from workflow_builder_api.services.workflows import (
    get_version,
    get_workflow,
    mark_deleted,
    published_dag_id,
)

log = structlog.get_logger()
# DagBag runs in a worker thread here, where it cannot install its SIGALRM timeout and says so
# with a traceback on every import. The file is our own three-statement module, so no timeout
# is needed; keep real import errors, which DagBag reports as data anyway.
logging.getLogger("airflow.dag_processing.importers.python_importer").setLevel(logging.ERROR)
# DagBag imports register DAGs in process-wide state: one import at a time.
_IMPORT_LOCK = threading.Lock()


class PublishTarget(Protocol):
    def write(self, file_name: str, source: str) -> str:
        """Store the file; return where it went."""

    def remove(self, file_name: str) -> None:
        """Delete the file if it is there."""


class LocalFolderTarget:
    """A dags folder on this machine (the local stack's ``dags/``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, file_name: str, source: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / file_name
        # A hidden temp name that does not end in .py, so the DAG processor never reads it.
        handle, temp = tempfile.mkstemp(dir=self.folder, prefix=f".{file_name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(source)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return str(path)

    def remove(self, file_name: str) -> None:
        (self.folder / file_name).unlink(missing_ok=True)


class S3Target:
    """An MWAA environment's ``s3://bucket/dags`` prefix; a PUT replaces an object atomically."""

    def __init__(self, bucket: str, prefix: str, s3_client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._s3 = s3_client

    def key(self, file_name: str) -> str:
        return f"{self.prefix}/{file_name}" if self.prefix else file_name

    def write(self, file_name: str, source: str) -> str:
        self._s3.put_object(
            Bucket=self.bucket,
            Key=self.key(file_name),
            Body=source.encode("utf-8"),
            ContentType="text/x-python",
        )
        return f"s3://{self.bucket}/{self.key(file_name)}"

    def remove(self, file_name: str) -> None:
        self._s3.delete_object(Bucket=self.bucket, Key=self.key(file_name))


def publish_target(
    dags_folder: str,
    *,
    repository: Path | None = None,
    endpoint_url: str | None = None,
    region: str | None = None,
) -> PublishTarget:
    """The target the settings name: a git repository (``AIRLOOM_BUILDER_DAGS_REPOSITORY``),
    else ``AIRLOOM_BUILDER_DAGS_FOLDER``: a folder, or ``s3://bucket/prefix``."""
    if repository is not None:
        from workflow_builder_api.services.dag_repository import GitRepositoryTarget

        retired = None if dags_folder.startswith("s3://") else Path(dags_folder)
        return GitRepositoryTarget(repository, retired_folder=retired)
    if dags_folder.startswith("s3://"):
        import boto3

        location = urlparse(dags_folder)
        s3 = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)
        return S3Target(location.netloc, location.path, s3)
    return LocalFolderTarget(Path(dags_folder).resolve())


@dataclass
class PublishResult:
    workflow: Workflow
    version: int
    dag_id: str
    published: bool
    problems: list[Problem] = field(default_factory=list)
    location: str | None = None


# Where a deployment publishes: DAG files somewhere, or MWAA Serverless.
Target = PublishTarget | ServerlessPublisher


def publish(
    session: Session,
    principal: Principal,
    target: Target,
    workflow_id: str,
    version_number: int,
    settings: Settings,
) -> PublishResult:
    principal.require(Role.EDITOR)
    workflow = get_workflow(session, principal, workflow_id)
    version = get_version(session, workflow, version_number)
    return publish_version(
        session, target, workflow, version, scope_for(session, workflow.tenant, settings)
    )


def publish_version(
    session: Session,
    target: Target,
    workflow: Workflow,
    version: WorkflowVersion,
    scope: TenantScope,
) -> PublishResult:
    """Validate ``version`` in ``scope``, import it with DagBag, then write its file (or
    create or update its MWAA Serverless workflow)."""
    dag_id = dag_id_for(workflow.tenant, workflow.name)
    result = PublishResult(workflow, version.number, dag_id, published=False)
    result.problems = validate(version.spec, scope) + _quota_problems(session, workflow, scope)
    if result.problems:
        return result
    if isinstance(target, ServerlessPublisher):
        return _publish_serverless(target, workflow, version, scope, result)
    compiled = compile_workflow(
        version.spec, workflow_id=workflow.id, version=version.number, scope=scope
    )
    try:
        with _IMPORT_LOCK:
            check_imports(compiled)
    except DagImportError as exc:
        result.problems = [Problem("DAG_IMPORT_ERROR", str(exc), field="nodes")]
        return result
    result.location = target.write(compiled.file_name, compiled.source)
    previous = published_dag_id(workflow)
    if previous is not None and previous != dag_id:
        target.remove(f"{previous}.py")  # a file published under an older DAG id
    result.published = True
    workflow.published_version = version.number
    workflow.published_location = result.location
    workflow.published_dag_id = dag_id
    workflow.publish_target = "dag_file"
    workflow.published_workflow_version = None
    workflow.updated_at = utcnow()
    log.info("workflow published", workflow=workflow.id, version=version.number, dag_id=dag_id)
    return result


def _publish_serverless(
    target: ServerlessPublisher,
    workflow: Workflow,
    version: WorkflowVersion,
    scope: TenantScope,
    result: PublishResult,
) -> PublishResult:
    deployed = target.deploy(workflow, version, scope)
    if isinstance(deployed, list):
        result.problems = deployed
        return result
    result.published = True
    result.location = deployed.workflow_arn
    workflow.published_version = version.number
    workflow.published_location = deployed.workflow_arn
    workflow.published_dag_id = result.dag_id
    workflow.publish_target = "mwaa_serverless"
    workflow.published_workflow_version = deployed.workflow_version
    workflow.updated_at = utcnow()
    return result


def republish_tenant(
    session: Session, target: Target, tenant: str, settings: Settings, pause: Any = None
) -> list[PublishResult]:
    """Republish each of ``tenant``'s published workflows in its scope as it is now; withdraw
    those that no longer fit it (e.g. after a grant was revoked)."""
    scope = scope_for(session, tenant, settings)
    published = session.scalars(
        select(Workflow).where(
            Workflow.tenant == tenant,
            Workflow.published_version.is_not(None),
            Workflow.deleted_at.is_(None),
        )
    ).all()
    results = []
    for workflow in published:
        version = get_version(session, workflow, workflow.published_version or 0)
        result = publish_version(session, target, workflow, version, scope)
        if not result.published:
            _withdraw(workflow, target, pause)
            log.warning("workflow withdrawn", workflow=workflow.id, problems=len(result.problems))
        results.append(result)
    return results


def _quota_problems(session: Session, workflow: Workflow, scope: TenantScope) -> list[Problem]:
    if workflow.published_version is not None:
        return []  # republishing takes no new slot
    published = session.scalar(
        select(func.count())
        .select_from(Workflow)
        .where(
            Workflow.tenant == workflow.tenant,
            Workflow.published_version.is_not(None),
            Workflow.deleted_at.is_(None),
        )
    )
    limit = scope.limits.max_published_workflows
    if (published or 0) < limit:
        return []
    return [
        Problem(
            "QUOTA_EXCEEDED",
            f"tenant {workflow.tenant!r} has {published} published workflows, its quota is "
            f"{limit}: unpublish one, or ask a platform admin for more",
        )
    ]


def unpublish(
    session: Session,
    principal: Principal,
    target: Target,
    workflow_id: str,
    pause: Any = None,
) -> Workflow:
    """Remove the DAG file; ``pause(dag_id)`` first stops Airflow from scheduling new runs."""
    principal.require(Role.EDITOR)
    workflow = get_workflow(session, principal, workflow_id)
    _withdraw(workflow, target, pause)
    return workflow


def delete_workflow(
    session: Session,
    principal: Principal,
    target: Target,
    workflow_id: str,
    pause: Any = None,
) -> Workflow:
    """Withdraw the DAG and hide the workflow; its versions and runs stay for the record."""
    principal.require(Role.ADMIN)
    workflow = get_workflow(session, principal, workflow_id)
    _withdraw(workflow, target, pause)
    mark_deleted(session, workflow)
    return workflow


def _withdraw(workflow: Workflow, target: Target, pause: Any) -> None:
    """Stop the published version from running again; raises (leaving the workflow as it
    was) when that fails."""
    dag_id = published_dag_id(workflow)
    if dag_id is None:
        return
    if workflow.publish_target == "mwaa_serverless":
        if not isinstance(target, ServerlessPublisher):
            raise Conflict(
                f"workflow {workflow.name!r} is published to MWAA Serverless, which this "
                "deployment no longer publishes to: withdraw it there"
            )
        if workflow.published_location:
            target.withdraw(workflow.published_location)  # DeleteWorkflow
    elif isinstance(target, ServerlessPublisher):
        raise Conflict(
            f"workflow {workflow.name!r} is published as a DAG file, which this deployment no "
            "longer writes: remove its file where it was published"
        )
    else:
        if pause is not None:
            pause(dag_id)
        target.remove(f"{dag_id}.py")
    workflow.published_version = None
    workflow.published_location = None
    workflow.published_dag_id = None
    workflow.publish_target = None
    workflow.published_workflow_version = None
    workflow.updated_at = utcnow()
    log.info("workflow unpublished", workflow=workflow.id, dag_id=dag_id)
