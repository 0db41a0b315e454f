"""The marketplace's activity: a ``deployment`` event as a deploy or rollback run starts, and one
``invocation`` per prediction relayed to an endpoint, naming the model version it serves.

Each is queued for the ``airloom.activity`` topic (:mod:`airloom.activity.producer`) and never
raises: a prediction or a deployment request does not wait for, or fail with, Kafka.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

from airloom.activity import emit_new
from airloom.activity.deployments import deployment_fields
from airloom.activity.events import DeploymentEvent, InvocationEvent
from marketplace.endpoint_directory import Route
from marketplace.models import CheckRun


def deployment_event(run: CheckRun, state: Literal["started"] = "started") -> None:
    """A deploy or rollback run ``started``. Its end (``ready``, ``failed``) is reported by the
    run's own rollout task as it happens (:mod:`airloom.activity.deployments`), not here: a run
    nobody follows ends too."""
    conf: dict[str, Any] = run.conf or {}
    fields = deployment_fields(
        {**conf, "model_name": run.model_name, "version": run.version}
        | {"endpoint": run.endpoint or conf.get("endpoint")}
    )
    emit_new(DeploymentEvent, tenant=run.tenant, state=state, **fields)


def invocation_event(route: Route, status: int, answer: bytes, started: float) -> None:
    """One prediction request to ``route``'s endpoint, answered ``status`` ``answer``."""
    ok = status < 400
    emit_new(
        InvocationEvent,
        tenant=route.tenant,
        endpoint=route.name,
        model=route.model,
        model_version=route.model_version,
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
