"""Waiting for an endpoint to be ready, in Airflow's triggerer rather than in a worker slot.

:class:`EndpointReadyTrigger` asks the target how the endpoint is doing every few seconds
(``get_deployment``, and for the ``local`` target a real request with the version's own input
example) until it is ready, will never be, or the deadline passes. The target's calls are
blocking HTTP, so each look runs in a thread (``asyncio.to_thread``) and the triggerer's event
loop stays free. SageMaker endpoints use the Amazon provider's ``SageMakerTrigger`` instead
(see :func:`airloom.deploy.pipeline.readiness_trigger`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airloom.deploy.base import DeploymentError, DeploymentNotFound, DeploymentTarget

READY, PENDING, FAILED, TIMEOUT = "ready", "pending", "failed", "timeout"
# Seconds before the first look. Airflow 3.3's scheduler fails a task that resumes before it
# has read the executor's report of the task's exit on deferring (apache/airflow#72716: the
# stale "success" is taken for a task killed externally); an endpoint that answers at once
# would fire the trigger inside that window, so the trigger lets the scheduler catch up.
SETTLE_SECONDS = 8.0
_READY_STATUSES = {"ready", "inservice"}


def readiness(target: DeploymentTarget, endpoint: str, model_uri: str) -> tuple[str, str | None]:
    """(READY, None), (PENDING, why not yet) or (FAILED, why never) for ``endpoint``.

    A target with a ``readiness`` method of its own (``local``) answers for itself; for the
    others the deployment's status decides.
    """
    own = getattr(target, "readiness", None)
    if own is not None:
        return own(endpoint, model_uri)
    try:
        current = target.get_deployment(endpoint)
    except DeploymentNotFound as exc:
        return PENDING, str(exc)
    except DeploymentError as exc:  # unreachable for now: a later look may succeed
        return PENDING, str(exc)
    status = str(current.get("status", "")).lower()
    if status == FAILED:
        return FAILED, current.get("failure_reason") or f"endpoint {endpoint!r} failed"
    if current.get("model_uri") not in (None, model_uri):
        return PENDING, f"serving {current['model_uri']} ({status})"
    if status in _READY_STATUSES:
        return READY, None
    return PENDING, f"endpoint {endpoint!r} is {status or 'in an unknown state'}"


class EndpointReadyTrigger(BaseTrigger):
    """Fires once ``endpoint`` at ``target`` serves ``model_uri`` and answers, or cannot.

    The event is ``{"status": "ready" | "failed" | "timeout", "reason", "target", "endpoint",
    "model_uri"}``.

    :param target: the deployment target's name (``local``, …).
    :param endpoint: the endpoint (deployment) name at the target.
    :param model_uri: the version it must serve.
    :param tracking_uri: the MLflow server the target loads versions from.
    :param registry_uri: the model registry, if not the tracking server.
    :param deadline: when to give up, in seconds since the epoch (absolute, so a triggerer
        restart does not extend it).
    :param poll_interval: seconds between two looks.
    :param settle_seconds: seconds before the first look (see :data:`SETTLE_SECONDS`).
    """

    def __init__(
        self,
        target: str,
        endpoint: str,
        model_uri: str,
        tracking_uri: str,
        deadline: float,
        registry_uri: str | None = None,
        poll_interval: float = 2.0,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        super().__init__()
        self.target = target
        self.endpoint = endpoint
        self.model_uri = model_uri
        self.tracking_uri = tracking_uri
        self.registry_uri = registry_uri
        self.deadline = deadline
        self.poll_interval = poll_interval
        self.settle_seconds = settle_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "target": self.target,
                "endpoint": self.endpoint,
                "model_uri": self.model_uri,
                "tracking_uri": self.tracking_uri,
                "registry_uri": self.registry_uri,
                "deadline": self.deadline,
                "poll_interval": self.poll_interval,
                "settle_seconds": self.settle_seconds,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from airloom.deploy.base import get_target

        target = await asyncio.to_thread(
            get_target, self.target, tracking_uri=self.tracking_uri, registry_uri=self.registry_uri
        )
        await asyncio.sleep(min(self.settle_seconds, max(0.0, self.deadline - time.time())))
        while True:
            state, reason = await asyncio.to_thread(
                readiness, target, self.endpoint, self.model_uri
            )
            if state == PENDING and time.time() >= self.deadline:
                state, reason = TIMEOUT, f"not ready by the deadline: {reason}"
            if state != PENDING:
                self.log.info("endpoint %s: %s %s", self.endpoint, state, reason or "")
                yield TriggerEvent(
                    {
                        "status": state,
                        "reason": reason,
                        "target": self.target,
                        "endpoint": self.endpoint,
                        "model_uri": self.model_uri,
                    }
                )
                return
            await asyncio.sleep(self.poll_interval)
