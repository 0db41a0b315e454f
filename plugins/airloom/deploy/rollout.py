"""One deployment, step by step: gate on validation, serve at a target, check it answers, and
promote to ``champion`` on record. The `model_deployment` DAG runs these steps as tasks."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from airloom import model_tags
from airloom.deploy.base import DeploymentError, DeploymentNotFound, DeploymentTarget

_SAGEMAKER_NAME = re.compile(r"[^A-Za-z0-9-]+")
VALIDATION_DAG = "model_validation"


class DeploymentRefused(DeploymentError):
    """The version may not be deployed (it failed or skipped validation); nothing changed."""


class DeploymentConf(BaseModel):
    """The conf of a `model_deployment` DAG run."""

    model_config = ConfigDict(extra="forbid")

    model_name: str = Field(min_length=1)
    version: int = Field(ge=1)
    target: str = Field(default="local", min_length=1)
    endpoint: str | None = Field(default=None, description="Default: derived from the model")
    deployed_by: str | None = None
    reason: str = ""
    tenant: str | None = None
    action: Literal["deploy", "rollback"] = "deploy"
    # A rollback returns to a version that already served; it was gated when it was deployed.
    require_validation: bool = True

    @property
    def model_uri(self) -> str:
        return f"models:/{self.model_name}/{self.version}"

    @property
    def endpoint_name(self) -> str:
        return self.endpoint or default_endpoint_name(self.model_name)


def default_endpoint_name(model_name: str) -> str:
    """An endpoint name every target accepts (SageMaker: letters, digits and hyphens, ≤ 63)."""
    name = _SAGEMAKER_NAME.sub("-", model_name).strip("-")[:63].strip("-")
    if not name:
        raise ValueError(f"cannot derive an endpoint name from model {model_name!r}")
    return name


def validation_gate(
    client: Any,
    name: str,
    version: int,
    run_state: Callable[[str, str], str | None] | None = None,
) -> dict[str, Any]:
    """The version's validation report if it passed; :class:`DeploymentRefused` otherwise.

    :param run_state: the state Airflow records for a DAG run (dag id, run id). When given, a
        "passed" tag counts only if it names a ``model_validation`` run that succeeded: the
        tags are a record of that run, never a claim on their own.
    """
    tags = client.get_model_version(name, str(version)).tags or {}
    status = tags.get(model_tags.VALIDATION_STATUS)
    report = _report(tags.get(model_tags.VALIDATION_REPORT))
    if status == "passed" and run_state is not None:
        run_id = tags.get(model_tags.VALIDATION_RUN_ID) or ""
        if _state_of(run_state, VALIDATION_DAG, run_id) != "success":
            raise DeploymentRefused(
                f"{name} version {version} carries a passed validation that no successful "
                f"{VALIDATION_DAG} run recorded (run {run_id!r}); validate it before deploying"
            )
    if status == "passed":
        return report
    if status is None:
        raise DeploymentRefused(
            f"{name} version {version} has not been validated: run the model_validation DAG "
            "(or POST …/validate in the marketplace) before deploying it"
        )
    failed = [c.get("name") for c in report.get("checks", []) if not c.get("passed")]
    raise DeploymentRefused(
        f"{name} version {version} failed validation ({status}"
        f"{': ' + ', '.join(map(str, failed)) if failed else ''}); it will not be deployed"
    )


def _state_of(run_state: Callable[[str, str], str | None], dag_id: str, run_id: str) -> str | None:
    if not run_id:
        return None
    try:
        return run_state(dag_id, run_id)
    except Exception:  # noqa: BLE001 - no such run is an error from Airflow: not a record
        return None


def _report(text: str | None) -> dict[str, Any]:
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {"raw": text}


def serve(
    target: DeploymentTarget, endpoint: str, model_uri: str, config: dict[str, Any]
) -> dict[str, Any]:
    """Create or update ``endpoint`` to serve ``model_uri``, returning once it is ready.

    If the new version does not come up, the endpoint is pointed back at the version it
    served before, so a failed deployment leaves things as they were.
    """
    try:
        previous = target.get_deployment(endpoint)
    except DeploymentNotFound:
        previous = None
    if previous is None:
        return target.create_deployment(endpoint, model_uri, config=config)
    try:
        return target.update_deployment(endpoint, model_uri=model_uri, config=config)
    except DeploymentError:
        earlier = previous.get("model_uri")
        if earlier and earlier != model_uri:
            # The original failure is the one to report.
            with contextlib.suppress(DeploymentError):
                target.update_deployment(endpoint, model_uri=earlier, config=config)
        raise


def answers(target: DeploymentTarget, endpoint: str, model_uri: str) -> bool:
    """True once ``endpoint`` serves ``model_uri`` and is ready to answer."""
    try:
        current = target.get_deployment(endpoint)
    except DeploymentNotFound:
        return False
    if current.get("model_uri") not in (None, model_uri):
        return False
    status = str(current.get("status", "")).lower()
    if status not in ("ready", "inservice"):
        return False
    probe = getattr(target, "probe", None)
    # The local target scores the version's own input example.
    return probe is None or probe(endpoint, model_uri) is None
