"""The marketplace's activity: ``deployment`` events as deploy and rollback runs start and end,
and one ``invocation`` per prediction relayed to an endpoint.

Each is queued for the ``airloom.activity`` topic (:mod:`airloom.activity.producer`) and never
raises: a prediction or a deployment request does not wait for, or fail with, Kafka.
"""

from __future__ import annotations

import inspect
import json
import time
from functools import cache
from typing import Any

from airloom.activity import emit_new
from airloom.activity.events import DeploymentEvent, InvocationEvent
from marketplace.endpoint_directory import Route
from marketplace.models import CheckRun


def deployment_event(run: CheckRun, state: str) -> None:
    """A deploy or rollback run ``started``, or ended ``ready`` or ``failed``."""
    conf: dict[str, Any] = run.conf or {}
    emit_new(
        DeploymentEvent,
        tenant=run.tenant,
        endpoint=run.endpoint or conf.get("endpoint"),
        model=run.model_name,
        model_version=run.version,
        action=conf.get("action", "deploy"),
        state=state,
        target=conf.get("target"),
        instance_type=conf.get("instance_type") or _default_instance_type(conf.get("target")),
    )


@cache
def _default_instance_type(target: str | None) -> str | None:
    """What a SageMaker endpoint runs on when the request does not say: the target's default
    (what its hours cost); other targets have no instance type."""
    if target != "sagemaker":
        return None
    from airloom.deploy.sagemaker_target import SageMakerTarget

    return inspect.signature(SageMakerTarget).parameters["instance_type"].default


def invocation_event(route: Route, status: int, answer: bytes, started: float) -> None:
    """One prediction request to ``route``'s endpoint, answered ``status`` ``answer``."""
    ok = status < 400
    emit_new(
        InvocationEvent,
        tenant=route.tenant,
        endpoint=route.name,
        model=route.model,
        predictions=predictions_in(answer) if ok else 0,
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
        ok=ok,
        target=route.target,
    )


def predictions_in(answer: bytes) -> int:
    """How many rows an MLflow scoring answer (``{"predictions": …}``) predicted."""
    try:
        predictions = json.loads(answer).get("predictions")
    except (ValueError, AttributeError):
        return 0
    if isinstance(predictions, dict):  # column → values, as a DataFrame answers
        first = next(iter(predictions.values()), [])
        return len(first) if isinstance(first, list) else 1
    return len(predictions) if isinstance(predictions, list) else 0
