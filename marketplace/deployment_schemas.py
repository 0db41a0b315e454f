"""Request and response shapes of the deployment and endpoint routes (pydantic, in OpenAPI)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from marketplace.schemas import UtcDateTime, VersionText

ENDPOINT_PATTERN = r"^[A-Za-z0-9](-*[A-Za-z0-9]){0,62}$"  # SageMaker's rule, for every target
# queued: the run has not reported yet; then what its rollout task reports (`deployment` XCom).
Phase = Literal["queued", "validating", "deploying", "ready", "failed"]


class DeployRequest(BaseModel):
    target: Literal["local", "sagemaker"] = Field(default="local", description="Where to serve")
    endpoint: str | None = Field(
        default=None,
        pattern=ENDPOINT_PATTERN,
        description="Endpoint name (letters, digits, hyphens); default derived from the model",
    )
    reason: str = Field(default="", max_length=1000, description="Why, for the audit trail")


class RollbackRequest(BaseModel):
    reason: str = Field(default="", max_length=1000, description="Why, for the audit trail")


class DeploymentPublic(BaseModel):
    """A deployment or rollback run (a `model_deployment` DAG run): its phase and where to
    follow it."""

    action: str = Field(description="deploy or rollback")
    model: str
    version: int
    target: str | None
    endpoint: str | None
    dag_id: str
    run_id: str
    state: str = Field(description="The DAG run's state: queued, running, success or failed")
    phase: Phase = Field(
        description="queued (not started), validating (the version is being validated first), "
        "deploying, ready (serving the version), or failed (see phase_reason)"
    )
    phase_reason: str | None = Field(
        default=None, description="Why the run failed, or what the phase is waiting on"
    )
    validation: dict[str, Any] | None = Field(
        default=None, description="The validation report, when the run validated the version"
    )
    validation_run_id: str | None = Field(
        default=None, description="The model_validation run the deployment waited for"
    )
    model_uri: str | None = Field(default=None, description="What the endpoint is to serve")
    previous_model_uri: str | None = Field(
        default=None, description="What the endpoint served before this run"
    )
    rolled_back: bool = Field(
        default=False,
        description="The new version did not come up and the endpoint serves the previous one",
    )
    requested_by: str | None = Field(description="name@tenant of the API key that asked")
    reason: str = Field(description="Why it was requested, for the audit trail")
    created_at: UtcDateTime
    status_url: str
    endpoint_url: str | None
    airflow_url: str | None


class EndpointPublic(BaseModel):
    name: str
    target: str
    model: str
    version: int | None = Field(description="The version served, when the target says")
    status: str = Field(
        description="The target's status (ready, InService, …), deploying, or unavailable "
        "when the target cannot be asked right now (see reason)"
    )
    reason: str | None = Field(default=None, description="Why the status is unavailable")
    invocations_url: str
    updated_at: UtcDateTime | None
    latest_deployment: DeploymentPublic


class Predictions(BaseModel):
    """An endpoint's answer, relayed as the model served gives it (MLflow's scoring protocol)."""

    predictions: Any = Field(description="One prediction per input row, or the model's output")


class EndpointList(BaseModel):
    endpoints: list[EndpointPublic]


class DeploymentEvent(BaseModel):
    """One recorded promotion or rollback (an audit record in the model registry)."""

    model_config = ConfigDict(extra="allow")

    action: str | None = None
    model: str | None = None
    version: VersionText = None
    from_version: VersionText = None
    deployed_at: UtcDateTime | None = None
    deployed_by: str | None = None
    reason: str | None = None
    target: str | None = None
    endpoint: str | None = None
    workflow: str | None = None
    run_id: str | None = None


class EndpointEvent(DeploymentEvent):
    from_version: VersionText = Field(
        default=None, description="What this endpoint served before the move"
    )
    previous_champion: VersionText = Field(
        default=None, description="The model's champion before the move"
    )


class EndpointHistory(BaseModel):
    endpoint: str
    model: str
    events: list[EndpointEvent]
    runs: list[DeploymentPublic]


class ModelHistory(BaseModel):
    model: str
    events: list[DeploymentEvent]
