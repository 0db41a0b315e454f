"""``deployment`` events: their fields from a deployment's conf, for the marketplace that starts
a deploy or rollback run (``started``) and for the run's ``rollout`` task, which reports its end
(``ready``, ``failed``) as it happens, whether or not anybody asks the marketplace.

The end is sent from the rollout task's success and failure callbacks
(:class:`airloom.operators.deploy.ModelDeploymentOperator` adds them): Airflow runs exactly one
of them when the task's last try ends, in the task's own process, or in the DAG processor when
the process died (a heartbeat timeout). So a version refused by validation, a conf the rollout
rejects, an endpoint that never answered, a timeout: each is one ``failed``, with no extra task
in the DAG (an ``ALL_DONE`` reporting task would cost a worker slot per deploy and, as the
DAG's leaf, turn a failed deploy's run ``success``). The event's id is derived from the run, so
a callback that runs twice for one end still counts once in the read model.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from airloom.activity.events import DeploymentEvent
from airloom.activity.ownership import owner_in
from airloom.activity.producer import emit_new

log = logging.getLogger(__name__)

_EVENT_IDS = uuid.UUID("0b7f4a9e-2f0c-4b8e-8f61-3d2a9c5e7b14")  # namespace of run-end event ids
Ended = Literal["ready", "failed"]


def deployment_fields(conf: Mapping[str, Any]) -> dict[str, Any]:
    """The event's own fields from a ``model_deployment`` conf (as the marketplace sends it)."""
    target = conf.get("target")
    model = conf.get("model_name")
    version = conf.get("version")
    return {
        "endpoint": conf.get("endpoint") or _default_endpoint(model, target),
        "model": model,
        "model_version": int(version) if str(version or "").isdigit() else None,
        "action": conf.get("action") or "deploy",
        "target": target,
        "instance_type": conf.get("instance_type") or default_instance_type(target),
    }


@cache
def default_instance_type(target: str | None) -> str | None:
    """What a SageMaker endpoint runs on when the request does not say: the target's default
    (what its hours cost); other targets have no instance type."""
    if target != "sagemaker":
        return None
    from airloom.deploy.sagemaker_target import SageMakerTarget

    return inspect.signature(SageMakerTarget).parameters["instance_type"].default


def run_end_event_id(dag_id: str, run_id: str, state: Ended) -> uuid.UUID:
    """One id per deployment run's end."""
    return uuid.uuid5(_EVENT_IDS, f"{dag_id}\x1f{run_id}\x1f{state}")


def report_ready(context: Mapping[str, Any]) -> None:
    """The rollout task succeeded: the version serves (an ``on_success_callback``)."""
    _report_end(context, "ready")


def report_failed(context: Mapping[str, Any]) -> None:
    """The rollout task failed for good (an ``on_failure_callback``)."""
    _report_end(context, "failed")


def _report_end(context: Mapping[str, Any], state: Ended) -> None:
    try:
        dag_run = context["dag_run"]
        # The run's conf over the DAG's defaults (a person's run from the form has both).
        conf = {k: v for k, v in dict(context.get("params") or {}).items() if v is not None}
        conf.update(getattr(dag_run, "conf", None) or {})
        emit_new(
            DeploymentEvent,
            event_id=run_end_event_id(dag_run.dag_id, dag_run.run_id, state),
            tenant=owner_in(context).tenant,
            source="airflow",
            state=state,
            **deployment_fields(conf),
        )
    except Exception:  # a callback never fails the task, and never hides its outcome
        log.exception("could not report the deployment's end (%s) as activity", state)


def _default_endpoint(model: Any, target: Any) -> str | None:
    if not isinstance(model, str) or not model:
        return None
    if target == "registry":  # the registry target's deployment is the registered model
        return model
    from airloom.deploy.rollout import default_endpoint_name

    try:
        return default_endpoint_name(model)
    except ValueError:
        return None
