"""MWAA Serverless's run and task states in Airflow's words, which the builder and Studio speak.

Runs: STARTING and QUEUED are queued; RUNNING and STOPPING running; SUCCESS success;
FAILED, TIMEOUT and STOPPED failed.

Tasks: NONE is null (not scheduled yet); TIMEOUT is failed; CANCELLED (the task never ran: its
run was stopped first) is skipped, as Airflow marks such tasks; every other state
(SCHEDULED, QUEUED, RUNNING, DEFERRED, RESTARTING, UP_FOR_RETRY, UP_FOR_RESCHEDULE, SUCCESS,
FAILED, UPSTREAM_FAILED, REMOVED) is Airflow's state of the same name, in lower case.

A stopping run is still running (its tasks have not ended); a stopped or timed-out run ended
without success, which is what Airflow calls failed (Airflow marks a cancelled run failed too).
"""

from __future__ import annotations

RUN_STATES = {
    "STARTING": "queued",
    "QUEUED": "queued",
    "RUNNING": "running",
    "STOPPING": "running",
    "SUCCESS": "success",
    "FAILED": "failed",
    "TIMEOUT": "failed",
    "STOPPED": "failed",
}
TASK_STATES: dict[str, str | None] = {
    "NONE": None,
    "SCHEDULED": "scheduled",
    "QUEUED": "queued",
    "RUNNING": "running",
    "DEFERRED": "deferred",
    "RESTARTING": "restarting",
    "UP_FOR_RETRY": "up_for_retry",
    "UP_FOR_RESCHEDULE": "up_for_reschedule",
    "SUCCESS": "success",
    "FAILED": "failed",
    "UPSTREAM_FAILED": "upstream_failed",
    "REMOVED": "removed",
    "TIMEOUT": "failed",
    "CANCELLED": "skipped",
}


def run_state(status: str | None) -> str:
    """A run's state; one the service adds later passes through in lower case."""
    if not status:
        return "queued"
    return RUN_STATES.get(status, status.lower())


def task_state(status: str | None) -> str | None:
    """A task's state (None: not scheduled yet)."""
    if not status:
        return None
    return TASK_STATES.get(status, status.lower())
