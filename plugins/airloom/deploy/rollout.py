"""What a deployment asks for and the rules it follows: its conf, the default endpoint name and
the validation gate. :mod:`airloom.deploy.pipeline` runs the steps."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from airloom import model_tags
from airloom.deploy.base import DeploymentError

_SAGEMAKER_NAME = re.compile(r"[^A-Za-z0-9-]+")
VALIDATION_DAG = "model_validation"


class DeploymentRefused(DeploymentError):
    """The version may not be deployed (it failed or skipped validation); nothing changed.

    :param report: the validation report that refused it, if there is one.
    """

    retryable = False  # the version's record does not change on a retry

    def __init__(self, message: str, report: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.report = report


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
                f"{VALIDATION_DAG} run recorded (run {run_id!r}); validate it before deploying",
                report,
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
        f"{': ' + ', '.join(map(str, failed)) if failed else ''}); it will not be deployed",
        report,
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
