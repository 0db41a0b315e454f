"""The steps of one deployment rollout, and the status it reports at each phase.

A rollout runs in one Airflow task (``airloom.operators.deploy``), which defers between
steps, so a waiting deployment holds no worker slot:

1. **gate**: the version exists and belongs to the tenant; with ``require_validation``, its
   validation passed in a ``model_validation`` run Airflow recorded, and a version never
   validated is validated first (the task triggers the run and waits for it, deferred).
2. **serve**: the endpoint at the target is created, or updated, without waiting.
3. **readiness**: a trigger waits until the endpoint answers with the new version; if it does
   not, the endpoint goes back to what it served before (or is deleted if it is new).
4. **promote**: ``champion`` moves to the version and the registry records who, when, from
   which version and why.

The task reports its phase as the XCom ``deployment`` (:class:`DeploymentStatus`) each time
it changes, before it defers, so a caller following the run through Airflow's REST API sees
where it is.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel

from airloom.deploy.base import DeploymentError, DeploymentNotFound, DeploymentTarget, get_target
from airloom.deploy.ownership import claim_endpoint
from airloom.deploy.rollout import VALIDATION_DAG, DeploymentConf, validation_gate

DEPLOYMENT_KEY = "deployment"  # the XCom key of the status
READINESS_TIMEOUT = 1800.0  # seconds an endpoint gets to answer before it is rolled back
Phase = Literal["validating", "deploying", "ready", "failed"]


class DeploymentStatus(BaseModel):
    """Where a rollout is: the value of its ``deployment`` XCom."""

    phase: Phase
    reason: str | None = None
    validation: dict[str, Any] | None = None
    validation_run_id: str | None = None
    endpoint: str
    model_uri: str
    previous_model_uri: str | None = None
    rolled_back: bool = False


class Rollout:
    """One deployment's steps, for one :class:`DeploymentConf`.

    :param conf: what to deploy, where, for whom.
    :param tracking_uri: the MLflow server.
    :param registry_uri: the model registry, if not the tracking server.
    :param workflow: the DAG the rollout runs in, for the audit.
    :param run_id: its run, for the audit.
    """

    def __init__(
        self,
        conf: DeploymentConf,
        tracking_uri: str,
        registry_uri: str | None,
        workflow: str,
        run_id: str,
    ) -> None:
        self.conf = conf
        self.uris = {"tracking_uri": tracking_uri, "registry_uri": registry_uri or tracking_uri}
        # Every target is resolved first: an unknown one fails before anything changes.
        self.registry = get_target("registry", **self.uris)
        self.serving = None if conf.target == "registry" else get_target(conf.target, **self.uris)
        # At the registry target the deployment is the registered model itself.
        self.endpoint = conf.model_name if self.serving is None else conf.endpoint_name
        self.audit = {
            "deployed_by": conf.deployed_by,
            "reason": conf.reason or ("rollback" if conf.action == "rollback" else ""),
            "target": conf.target,
            "endpoint": self.endpoint,
            "workflow": workflow,
            "run_id": run_id,
            "tenant": conf.tenant,
        }

    @property
    def client(self) -> Any:
        return self.registry.client

    def status(self, phase: Phase, **fields: Any) -> DeploymentStatus:
        return DeploymentStatus(
            phase=phase, endpoint=self.endpoint, model_uri=self.conf.model_uri, **fields
        )

    # -- gate ---------------------------------------------------------------------------------

    def check_version(self) -> None:
        """The version exists, and the registered model is the tenant's."""
        from airloom.ml.registry import ModelRef, get_version

        get_version(self.client, ModelRef(self.conf.model_name, self.conf.version))
        if self.conf.tenant is not None:
            from airloom.tenancy.registry import require_owner

            require_owner(self.client, self.conf.model_name, self.conf.tenant)

    def never_validated(self) -> bool:
        from airloom import model_tags

        version = self.client.get_model_version(self.conf.model_name, str(self.conf.version))
        return model_tags.VALIDATION_STATUS not in (version.tags or {})

    def validation_report(self, run_state: Any) -> dict[str, Any]:
        """The passed validation's report; :class:`DeploymentRefused` (with the report) if the
        version failed, or its "passed" names no successful ``model_validation`` run."""
        return validation_gate(
            self.client, self.conf.model_name, self.conf.version, run_state=run_state
        )

    def validation_conf(self) -> dict[str, Any]:
        """The conf of the ``model_validation`` run that validates a version never validated:
        the defaults, as the marketplace's validate button sends them."""
        from airloom.model_checks.validation import ValidationConf

        conf = ValidationConf(model_name=self.conf.model_name, version=self.conf.version)
        return conf.model_dump(mode="json")

    def validation_run_id(self) -> str:
        from uuid import uuid4

        return f"deployment__{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}_{uuid4().hex[:8]}"

    # -- serve --------------------------------------------------------------------------------

    def current_model_uri(self) -> str | None:
        """What the endpoint serves now (None: it does not exist), refusing another tenant's."""
        if self.serving is None:
            try:
                return self.registry.get_deployment(self.conf.model_name)["model_uri"]
            except DeploymentNotFound:
                return None
        if self.conf.tenant is not None:
            current = claim_endpoint(self.serving, self.endpoint, self.conf.tenant)
            return None if current is None else current.get("model_uri")
        try:
            return self.serving.get_deployment(self.endpoint).get("model_uri")
        except DeploymentNotFound:
            return None

    def start_serving(self, previous_model_uri: str | None) -> None:
        """Create or update the endpoint, without waiting for it to be ready."""
        serving = self._serving()
        config = {**self.audit, "synchronous": False}
        if previous_model_uri is None:
            serving.create_deployment(self.endpoint, self.conf.model_uri, config=config)
        else:
            serving.update_deployment(self.endpoint, model_uri=self.conf.model_uri, config=config)

    def readiness_trigger(self, timeout: float = READINESS_TIMEOUT) -> Any:
        """The deferrable wait for the endpoint: the Amazon provider's for SageMaker, ours for
        every other target."""
        if self.conf.target == "sagemaker":
            from airflow.providers.amazon.aws.triggers.sagemaker import SageMakerTrigger

            delay = 15
            return SageMakerTrigger(
                job_name=self.endpoint,
                job_type="endpoint",
                waiter_delay=delay,
                waiter_max_attempts=max(1, int(timeout // delay)),
                aws_conn_id=None,  # boto3's own chain, as the target uses
                region_name=getattr(self.serving, "region_name", None),
            )
        from airloom.deploy.triggers import EndpointReadyTrigger

        return EndpointReadyTrigger(
            target=self.conf.target,
            endpoint=self.endpoint,
            model_uri=self.conf.model_uri,
            tracking_uri=self.uris["tracking_uri"],
            registry_uri=self.uris["registry_uri"],
            deadline=time.time() + timeout,
        )

    def restore(self, previous_model_uri: str | None) -> str:
        """Point the endpoint back at what it served before, or delete it if it is new."""
        serving = self._serving()
        reason = f"rollback of a failed deployment of {self.conf.model_uri}"
        config = {**self.audit, "reason": reason, "synchronous": False}
        if previous_model_uri is None:
            serving.delete_deployment(self.endpoint, config=config)
            return f"endpoint {self.endpoint!r} was new: deleted"
        serving.update_deployment(self.endpoint, model_uri=previous_model_uri, config=config)
        return f"endpoint {self.endpoint!r} is back on {previous_model_uri}"

    def _serving(self) -> DeploymentTarget:
        if self.serving is None:
            raise DeploymentError("the registry target serves no endpoint")
        return self.serving

    # -- promote ------------------------------------------------------------------------------

    def promote(self) -> dict[str, Any]:
        """Move ``champion`` to the version and record the deployment in the history."""
        return self.registry.create_deployment(
            self.conf.model_name, self.conf.model_uri, config=self.audit
        )


def ready_event(event: Any) -> tuple[bool, str | None]:
    """Whether a readiness trigger's event says ready, and if not, why."""
    event = event or {}
    if event.get("status") in ("ready", "success"):  # ours, the Amazon provider's
        return True, None
    reason = event.get("reason") or event.get("message") or f"readiness ended {event}"
    return False, f"{event.get('status', 'failed')}: {reason}"


__all__ = [
    "DEPLOYMENT_KEY",
    "VALIDATION_DAG",
    "DeploymentError",
    "DeploymentStatus",
    "Rollout",
    "ready_event",
]
