"""The readiness trigger survives the triggerer's serialisation and gives up at its deadline."""

from __future__ import annotations

import asyncio
import time

from airflow.sdk._shared.module_loading import import_string

from airloom.deploy.pipeline import DeploymentStatus, ready_event
from airloom.deploy.triggers import EndpointReadyTrigger


def _trigger(**changes) -> EndpointReadyTrigger:
    values = {
        "target": "local",
        "endpoint": "churn",
        "model_uri": "models:/churn/3",
        "tracking_uri": "http://127.0.0.1:9",
        "registry_uri": None,
        "deadline": time.time() + 60,
        "poll_interval": 0.1,
        "settle_seconds": 0.1,
    }
    return EndpointReadyTrigger(**{**values, **changes})


def test_the_trigger_is_rebuilt_from_what_it_serialises() -> None:
    trigger = _trigger()
    classpath, kwargs = trigger.serialize()

    rebuilt = import_string(classpath)(**kwargs)

    assert classpath == "airloom.deploy.triggers.EndpointReadyTrigger"
    assert rebuilt.serialize() == (classpath, kwargs)


def test_an_endpoint_that_never_answers_times_out_with_the_last_reason(monkeypatch) -> None:
    # Nothing listens on port 9: every look is "not yet", until the deadline passes.
    monkeypatch.setenv("AIRLOOM_SERVING_URL", "http://127.0.0.1:9")
    trigger = _trigger(deadline=time.time() + 0.3)

    async def first_event():
        async for event in trigger.run():
            return event.payload

    payload = asyncio.run(first_event())

    assert payload["status"] == "timeout"
    assert payload["reason"].startswith("not ready by the deadline: the serving process at")
    assert (payload["endpoint"], payload["model_uri"]) == ("churn", "models:/churn/3")
    assert ready_event(payload) == (False, f"timeout: {payload['reason']}")
    assert ready_event({"status": "success", "job_name": "churn"}) == (True, None)  # SageMaker


def test_the_status_has_the_shape_the_marketplace_reads() -> None:
    status = DeploymentStatus(phase="deploying", endpoint="churn", model_uri="models:/churn/3")
    assert status.model_dump(mode="json") == {
        "phase": "deploying", "reason": None, "validation": None, "validation_run_id": None,
        "endpoint": "churn", "model_uri": "models:/churn/3", "previous_model_uri": None,
        "rolled_back": False,
    }  # fmt: skip
