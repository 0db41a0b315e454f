"""MWAA Serverless's run and task states, in the Airflow words the builder and Studio use."""

from __future__ import annotations

import botocore.session

from servicekit.airflow_client import TERMINAL_RUN_STATES
from workflow_builder_api.graphql.subscriptions import ENDED
from workflow_builder_api.services.serverless.states import (
    RUN_STATES,
    TASK_STATES,
    run_state,
    task_state,
)

MODEL = botocore.session.get_session().get_service_model("mwaa-serverless")


def enum(shape: str) -> list[str]:
    return MODEL.shape_for(shape).enum


def test_every_run_status_of_the_service_is_mapped() -> None:
    assert set(RUN_STATES) == set(enum("WorkflowRunStatus"))


def test_every_task_status_of_the_service_is_mapped() -> None:
    assert set(TASK_STATES) == set(enum("TaskInstanceStatus"))


def test_runs_end_in_success_or_failed_and_only_when_the_service_says_they_ended() -> None:
    assert {status for status, state in RUN_STATES.items() if state in TERMINAL_RUN_STATES} == {
        "SUCCESS",
        "FAILED",
        "TIMEOUT",
        "STOPPED",
    }
    assert run_state("STOPPING") == "running"  # its tasks are still being stopped
    assert run_state("STARTING") == run_state("QUEUED") == "queued"
    assert run_state("TIMEOUT") == run_state("STOPPED") == "failed"


def test_task_states_are_airflows_and_an_ended_task_is_one_the_stream_counts_as_ended() -> None:
    assert task_state("NONE") is None
    assert task_state("UPSTREAM_FAILED") == "upstream_failed"
    assert task_state("TIMEOUT") == "failed"
    assert task_state("CANCELLED") == "skipped"  # never ran: its run was stopped first
    assert {task_state(s) for s in ("SUCCESS", "FAILED", "UPSTREAM_FAILED", "REMOVED")} <= ENDED


def test_a_status_the_service_adds_later_passes_through_in_lower_case() -> None:
    assert run_state("PAUSED") == "paused"
    assert task_state("SHELVED") == "shelved"
