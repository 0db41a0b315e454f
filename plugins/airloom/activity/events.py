"""The activity contract (docs/insights.md): one flat JSON object per platform event.

Every event carries the common fields of :class:`ActivityEvent` and its kind's own fields,
each serialised as one top-level key (a field a producer does not know is ``null``), so the
lake gets one Parquet column per field and the read model never unpacks nested objects.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

TOPIC = "airloom.activity"
SOURCES = ("airflow", "builder", "marketplace", "serving")
# Tenants name lake partitions (tenant=<tenant>): letters, digits, '_', '.', '-' only.
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def _tenant(value: str) -> str:
    if not _TENANT.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a tenant name (letters, digits, '_', '.', '-'; at most 100)"
        )
    return value


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


Tenant = Annotated[str, AfterValidator(_tenant)]
Timestamp = Annotated[AwareDatetime, AfterValidator(_utc)]
RunState = Literal["running", "success", "failed"]
# A task instance's end: ``skipped`` (by itself, a branch not taken, or a trigger rule) and
# ``upstream_failed`` (never ran because a task it needs failed) are ends too.
TaskState = Literal["running", "success", "failed", "skipped", "upstream_failed"]


class ActivityEvent(BaseModel):
    """The fields every event has. Subclasses fix ``kind`` and add their own fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    event_id: UUID = Field(default_factory=uuid4, description="Unique per event")
    tenant: Tenant = Field(description="Whose activity it is")
    kind: str
    at: Timestamp = Field(default_factory=utcnow, description="When it happened (UTC)")
    source: Literal["airflow", "builder", "marketplace", "serving"]

    def to_json(self) -> bytes:
        """The event as one flat JSON object: every field of its kind, absent ones ``null``."""
        return self.model_dump_json().encode()


class DagRunEvent(ActivityEvent):
    """A DAG run started (``running``) or ended (``success``, ``failed``)."""

    kind: Literal["dag_run"] = "dag_run"
    source: Literal["airflow"] = "airflow"
    dag_id: str
    run_id: str
    run_type: str | None = None
    workflow: str | None = None
    workflow_version: int | None = None
    state: RunState
    started_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    duration_s: float | None = None


class TaskRunEvent(ActivityEvent):
    """A task instance ended: ``success`` or ``failed`` (a failure before a retry too), or
    ``skipped`` / ``upstream_failed`` (those that never ran have no times, duration ``null``)."""

    kind: Literal["task_run"] = "task_run"
    source: Literal["airflow"] = "airflow"
    dag_id: str
    run_id: str
    task_id: str
    workflow: str | None = None
    workflow_version: int | None = None
    node_type: str
    state: TaskState
    try_number: int | None = None
    started_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    duration_s: float | None = None


class WorkflowPublishedEvent(ActivityEvent):
    kind: Literal["workflow_published"] = "workflow_published"
    source: Literal["builder"] = "builder"
    workflow: str
    workflow_version: int
    actor: str | None = None


class ModelRegisteredEvent(ActivityEvent):
    kind: Literal["model_registered"] = "model_registered"
    source: Literal["airflow"] = "airflow"
    model: str
    model_version: int
    workflow: str | None = None


class ModelPromotedEvent(ActivityEvent):
    kind: Literal["model_promoted"] = "model_promoted"
    source: Literal["airflow"] = "airflow"
    model: str
    model_version: int
    workflow: str | None = None
    alias: str


class DeploymentEvent(ActivityEvent):
    """A deploy or rollback run ``started`` (sent by the marketplace that starts it), or ended
    ``ready`` / ``failed`` (sent by the run's own ``rollout`` task, from Airflow)."""

    kind: Literal["deployment"] = "deployment"
    source: Literal["marketplace", "airflow"] = "marketplace"
    endpoint: str | None = None
    model: str
    model_version: int | None = None
    action: Literal["deploy", "rollback"]
    state: Literal["started", "ready", "failed"]
    target: str | None = None
    instance_type: str | None = None


class InvocationEvent(ActivityEvent):
    kind: Literal["invocation"] = "invocation"
    source: Literal["serving"] = "serving"
    endpoint: str
    model: str | None = None
    model_version: int | None = None
    predictions: int = Field(ge=0)
    latency_ms: float = Field(ge=0)
    ok: bool
    target: str | None = None


class ApiCallEvent(ActivityEvent):
    kind: Literal["api_call"] = "api_call"
    source: Literal["marketplace", "builder"]
    service: str
    route: str = Field(description="The route template, never the raw path")
    method: str
    status: int
    tier: str | None = None
    rate_limited: bool


class AwsUsageEvent(ActivityEvent):
    """What a node's calls to an AWS service used, once per task try, priced by the insights
    service from its rates (``units`` of ``unit``, e.g. 1,200 ``unit`` of 100 characters)."""

    kind: Literal["aws_usage"] = "aws_usage"
    source: Literal["airflow"] = "airflow"
    dag_id: str
    run_id: str
    task_id: str
    workflow: str | None = None
    workflow_version: int | None = None
    node_type: str
    service: str = Field(description="The AWS service, e.g. comprehend")
    operation: str = Field(description="The priced operation, e.g. detect_sentiment")
    requests: int = Field(ge=0, description="Calls made (retries not counted)")
    units: float = Field(ge=0, description="Billed units used")
    unit: str = Field(description="What one unit is, e.g. '100 characters', 'page', 'token'")
    retries: int = Field(default=0, ge=0, description="Calls botocore retried (throttling)")
    failed_rows: int = Field(default=0, ge=0, description="Rows kept with their error")


AnyEvent = Annotated[
    DagRunEvent
    | TaskRunEvent
    | WorkflowPublishedEvent
    | ModelRegisteredEvent
    | ModelPromotedEvent
    | DeploymentEvent
    | InvocationEvent
    | ApiCallEvent
    | AwsUsageEvent,
    Field(discriminator="kind"),
]
_ANY_EVENT: TypeAdapter[Any] = TypeAdapter(AnyEvent)
KINDS: tuple[str, ...] = (
    "dag_run",
    "task_run",
    "workflow_published",
    "model_registered",
    "model_promoted",
    "deployment",
    "invocation",
    "api_call",
    "aws_usage",
)


def parse_event(data: bytes | str | dict[str, Any]) -> ActivityEvent:
    """The event a message holds, checked against its kind (ValueError says what is wrong)."""
    if isinstance(data, dict):
        return _ANY_EVENT.validate_python(data)
    return _ANY_EVENT.validate_json(data)
