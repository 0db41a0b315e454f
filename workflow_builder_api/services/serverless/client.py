"""The builder's run operations on Amazon MWAA Serverless, behind the AirflowClient interface.

runs.py, run_history.py and the ``runUpdates`` subscription ask an :class:`AirflowClient` for
runs and task instances by DAG id; this one answers from the service's API: a DAG id is the
service's workflow of that name that the builder published (its ARN is in the store), a run id
the service's RunId, a task id the node id. States are mapped by :mod:`.states`.

What the service has no API for answers a clear NOT_AVAILABLE error rather than a wrong
result: retrying a run from a node, task logs (they are in CloudWatch Logs) and Airflow's own
REST API.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import structlog
from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from servicekit.airflow_client import AirflowApiError, AirflowClient, DagRun, TaskInstance
from workflow_builder_api.models import Workflow
from workflow_builder_api.services.errors import NotAvailable, NotFound, ServiceCallFailed
from workflow_builder_api.services.serverless.roles import tenant_log_group
from workflow_builder_api.services.serverless.states import run_state, task_state

log = structlog.get_logger()
# Errors of the service's own making, or of its reach: AIRFLOW_UNAVAILABLE, try again.
_TRANSIENT = {"ThrottlingException", "InternalServerException", "OperationTimeoutException"}
PAGE = 100  # the service's largest page
NOT_ON_SERVERLESS = "not available on MWAA Serverless"


@dataclass(frozen=True)
class Published:
    """A workflow the builder published to the service."""

    arn: str
    tenant: str


Locate = Callable[[str], Published | None]  # by DAG id


def published_arns(sessions: sessionmaker[Session]) -> Locate:
    """The live workflow published to MWAA Serverless under a DAG id (a DAG id holds its
    tenant, and callers check the run's tenant before asking)."""

    def locate(dag_id: str) -> Published | None:
        with sessions() as session:
            found = session.execute(
                select(Workflow.published_location, Workflow.tenant).where(
                    Workflow.published_dag_id == dag_id,
                    Workflow.publish_target == "mwaa_serverless",
                    Workflow.deleted_at.is_(None),
                )
            ).first()
        if found is None or not found.published_location:
            return None
        return Published(found.published_location, found.tenant)

    return locate


class ServerlessAirflowClient(AirflowClient):
    """Runs of published workflows through boto3's ``mwaa-serverless`` client."""

    parses_published_files = False  # the service snapshots the definition at publish

    def __init__(
        self, mwaa: Any, locate: Locate, *, region: str | None, log_group: str | None
    ) -> None:
        self._mwaa = mwaa
        self._locate = locate
        self._region = region or "us-east-1"
        self._log_group = log_group

    @property
    def ui_url(self) -> str:
        return f"https://{self._region}.console.aws.amazon.com/mwaa/home?region={self._region}"

    def request(self, method, path, *, json=None, params=None):  # type: ignore[override]
        raise NotAvailable(f"Airflow's REST API ({method} {path}) is {NOT_ON_SERVERLESS}")

    # -- DAGs ------------------------------------------------------------------------------

    def get_dag(self, dag_id: str) -> dict[str, Any] | None:
        if self._locate(dag_id) is None:
            return None
        return {"dag_id": dag_id, "is_paused": False, "tags": []}

    def latest_dag_version(self, dag_id: str) -> dict[str, Any] | None:
        return None

    def set_paused(self, dag_id: str, paused: bool) -> None:
        """Nothing to do: the service schedules a workflow by its definition's cron, and
        withdrawing it deletes the workflow."""

    def dag_source(self, dag_id: str, version_number: int) -> str | None:
        return None

    def import_errors(self) -> list[dict[str, Any]]:
        return []  # a definition is checked before it is published, and snapshotted

    # -- runs ------------------------------------------------------------------------------

    def trigger(
        self,
        dag_id: str,
        conf: dict[str, Any] | None = None,
        run_id: str | None = None,
        *,
        pinned_version: str | None = None,
    ) -> DagRun:
        arguments: dict[str, Any] = {
            "WorkflowArn": self._arn(dag_id),
            "ClientToken": uuid.uuid4().hex,
        }
        if conf:
            arguments["OverrideParameters"] = conf
        if pinned_version:
            arguments["WorkflowVersion"] = pinned_version
        started = self._call("StartWorkflowRun", **arguments)
        return DagRun(
            dag_id=dag_id,
            run_id=started["RunId"],
            state=run_state(started.get("Status")),
            conf=conf or {},
            queued_at=started.get("StartedAt"),
            start_date=None,
            end_date=None,
            run_type="manual",
        )

    def get_run(self, dag_id: str, run_id: str) -> DagRun:
        found = self._call("GetWorkflowRun", WorkflowArn=self._arn(dag_id), RunId=run_id)
        detail = found.get("RunDetail") or {}
        return DagRun(
            dag_id=dag_id,
            run_id=run_id,
            state=run_state(detail.get("RunState")),
            conf=found.get("OverrideParameters") or {},
            queued_at=detail.get("CreatedAt"),
            start_date=detail.get("StartedOn"),
            end_date=detail.get("CompletedOn"),
            run_type=_run_type(found.get("RunType") or detail.get("RunType")),
        )

    def list_runs(self, dag_id: str, limit: int = 25) -> list[DagRun]:
        return self.runs_of([dag_id], limit)

    def runs_of(self, dag_ids: Iterable[str], limit: int = 100) -> list[DagRun]:
        """The newest runs of each workflow; one the service refuses is left out (logged)."""
        found: list[DagRun] = []
        for dag_id in dag_ids:
            published = self._locate(dag_id)
            if published is None:
                continue
            try:
                answer = self._call(
                    "ListWorkflowRuns",
                    WorkflowArn=published.arn,
                    MaxResults=max(1, min(limit, PAGE)),
                )
            except (NotFound, ServiceCallFailed) as exc:
                log.warning("runs not read from MWAA Serverless", dag_id=dag_id, error=str(exc))
                continue
            for summary in answer.get("WorkflowRuns") or []:
                detail = summary.get("RunDetailSummary") or {}
                found.append(
                    DagRun(
                        dag_id=dag_id,
                        run_id=summary["RunId"],
                        state=run_state(detail.get("Status")),
                        conf={},
                        queued_at=detail.get("CreatedOn"),
                        start_date=detail.get("StartedAt"),
                        end_date=detail.get("EndedAt"),
                        run_type=_run_type(summary.get("RunType")),
                    )
                )
        found.sort(key=lambda run: run.queued_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        return found[:limit]

    def cancel(self, dag_id: str, run_id: str) -> DagRun:
        """StopWorkflowRun: the service stops the run's tasks and starts no more."""
        self._call("StopWorkflowRun", WorkflowArn=self._arn(dag_id), RunId=run_id)
        return self.get_run(dag_id, run_id)

    def clear_tasks(
        self, dag_id: str, run_id: str, task_ids: list[str] | None, *, only_failed: bool
    ) -> list[str]:
        raise NotAvailable(
            f"retrying a run from a node is {NOT_ON_SERVERLESS}: trigger a new run instead"
        )

    # -- task instances --------------------------------------------------------------------

    def task_instances(self, dag_id: str, run_id: str) -> list[TaskInstance]:
        """ListTaskInstances, then GetTaskInstance of each (only it names the task)."""
        group = self._log_group_of(dag_id)
        return [self._task(detail, group) for detail in self._task_details(dag_id, run_id)]

    def xcom_value(self, dag_id: str, run_id: str, task_id: str, key: str) -> Any | None:
        detail = self._task_detail(dag_id, run_id, task_id)
        value = (detail or {}).get("Xcom", {}).get(key)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def task_error(self, dag_id: str, run_id: str, task_id: str) -> str | None:
        detail = self._task_detail(dag_id, run_id, task_id)
        return (detail or {}).get("ErrorMessage") or None

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int) -> list[Any]:
        group = self._log_group_of(dag_id)
        where = f" (log group {group})" if group else ""
        raise NotAvailable(
            f"task logs are {NOT_ON_SERVERLESS} through the builder: read them in CloudWatch "
            f"Logs{where}, from the node's log link"
        )

    def _task_details(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        arn = self._arn(dag_id)
        details = []
        token: str | None = None
        while True:
            page_args: dict[str, Any] = {"WorkflowArn": arn, "RunId": run_id, "MaxResults": PAGE}
            if token:
                page_args["NextToken"] = token
            page = self._call("ListTaskInstances", **page_args)
            for summary in page.get("TaskInstances") or []:
                details.append(
                    self._call(
                        "GetTaskInstance",
                        WorkflowArn=arn,
                        RunId=run_id,
                        TaskInstanceId=summary["TaskInstanceId"],
                    )
                )
            token = page.get("NextToken")
            if not token:
                return details

    def _task_detail(self, dag_id: str, run_id: str, task_id: str) -> dict[str, Any] | None:
        for detail in self._task_details(dag_id, run_id):
            if detail.get("TaskId") == task_id:
                return detail
        return None

    def _task(self, detail: dict[str, Any], log_group: str | None) -> TaskInstance:
        return TaskInstance(
            task_id=detail.get("TaskId") or detail["TaskInstanceId"],
            state=task_state(detail.get("Status")),
            try_number=detail.get("AttemptNumber") or 0,
            start_date=detail.get("StartedAt"),
            end_date=detail.get("EndedAt"),
            log_url=self._log_link(log_group, detail.get("LogStream")),
        )

    def _log_group_of(self, dag_id: str) -> str | None:
        published = self._locate(dag_id)
        if self._log_group is None or published is None:
            return None
        return tenant_log_group(self._log_group, published.tenant)

    def _log_link(self, log_group: str | None, stream: str | None) -> str | None:
        """The task's log in the CloudWatch console, where the log group is known."""
        if not (log_group and stream):
            return None
        # The console's fragment encodes twice and writes "%" as "$" (/ → $252F).
        group, events = (
            quote(quote(part, safe=""), safe="").replace("%", "$") for part in (log_group, stream)
        )
        return (
            f"https://{self._region}.console.aws.amazon.com/cloudwatch/home?region="
            f"{self._region}#logsV2:log-groups/log-group/{group}/log-events/{events}"
        )

    # -- calls -----------------------------------------------------------------------------

    def _arn(self, dag_id: str) -> str:
        published = self._locate(dag_id)
        if published is None:
            raise NotFound(f"{dag_id} is not published to MWAA Serverless")
        return published.arn

    def _call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        method = getattr(self._mwaa, _snake(operation))
        try:
            return method(**arguments)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            message = f"MWAA Serverless {operation}: {code}: {error.get('Message', '')}"
            if code in _TRANSIENT:
                raise AirflowApiError(503, "POST", operation, message) from exc
            if code == "ResourceNotFoundException":
                raise NotFound(message) from exc
            raise ServiceCallFailed(message) from exc
        except BotoCoreError as exc:  # not reached: connection, timeout
            raise AirflowApiError(503, "POST", operation, str(exc)) from exc


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def _run_type(kind: str | None) -> str:
    return "scheduled" if kind == "SCHEDULED" else "manual"
