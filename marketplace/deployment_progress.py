"""A deployment run's phase, from the DAG run's state and what its ``rollout`` task reports.

The task pushes its progress as the XCom ``deployment`` at each phase change
(``{"phase", "reason", "validation", "validation_run_id", "endpoint", "model_uri",
"previous_model_uri", "rolled_back"}``), read here through Airflow's REST API. A run that
failed before reporting a failure of its own is ``failed`` with the summary its task recorded
(``airloom_error``) or the run's state. Once a run has ended, its outcome is kept with it and
Airflow is not asked again.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from airloom.operators.failures import ERROR_KEY
from marketplace.models import CheckRun
from servicekit.airflow_client import TERMINAL_RUN_STATES, AirflowApiError, AirflowClient

ROLLOUT_TASK = "rollout"
PROGRESS_KEY = "deployment"
PHASES = ("queued", "validating", "deploying", "ready", "failed")


def progress(session: Session, airflow: AirflowClient | None, run: CheckRun) -> dict[str, Any]:
    """The run's progress (the XCom's fields, ``phase`` always among :data:`PHASES`).

    Call with the run's state already refreshed from Airflow.
    """
    ended = run.state in TERMINAL_RUN_STATES
    if run.outcome is not None and ended:
        return run.outcome
    reported = _xcom(airflow, run, PROGRESS_KEY) if airflow is not None else None
    if not isinstance(reported, dict) or reported.get("phase") not in PHASES:
        reported = {}
    current = _settle(airflow, run, reported)
    if ended and airflow is not None:  # final: kept, and Airflow is not asked again
        run.outcome = current
        session.commit()
    # No activity here: the run's rollout task reports its end as it happens, read or not.
    return current


def _settle(
    airflow: AirflowClient | None, run: CheckRun, reported: dict[str, Any]
) -> dict[str, Any]:
    phase = reported.get("phase")
    if run.state == "failed" and phase != "failed":
        return {**reported, "phase": "failed", "reason": _failure(airflow, run)}
    if run.state == "success" and phase != "failed":
        return {**reported, "phase": "ready"}  # the run ended well: whatever it last said
    return reported if phase else {**reported, "phase": "queued"}


def _failure(airflow: AirflowClient | None, run: CheckRun) -> str:
    error = _xcom(airflow, run, ERROR_KEY) if airflow is not None else None
    if isinstance(error, dict) and error.get("summary"):
        return str(error["summary"])
    return f"the {run.dag_id} run ended failed before it said why; see its log in Airflow"


def _xcom(airflow: AirflowClient, run: CheckRun, key: str) -> Any | None:
    try:
        return airflow.xcom_value(run.dag_id, run.run_id, ROLLOUT_TASK, key)
    except (AirflowApiError, httpx.HTTPError):
        return None  # not yet there, or Airflow briefly away: the last known phase stands
