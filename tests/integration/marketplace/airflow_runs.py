"""Airflow's REST API as the marketplace sees it, with runs executed by ``dag.test()``.

The marketplace starts DAG runs through :class:`servicekit.airflow_client.AirflowClient`. Here
a trigger is recorded as a queued run, exactly as the api-server would answer; the test then
executes that run's real DAG from `dags/` with ``run_dag`` and the recorded conf, and the run's
state becomes the DAG run's. (The full stack, with Airflow's own api-server, is the end-to-end
suite's.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from servicekit.airflow_client import AirflowApiError, AirflowClient
from tests.harness.airflow import DagRunResult, run_dag


class DagTestAirflow(AirflowClient):
    def __init__(self) -> None:
        self.runs: dict[str, dict[str, Any]] = {}

    @property
    def ui_url(self) -> str:
        return "http://airflow.test"

    def request(self, method, path, *, json=None, params=None):  # type: ignore[override]
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 3 and parts[2] == "dagRuns":
            run_id = f"manual__{len(self.runs) + 1}"
            self.runs[run_id] = {
                "dag_id": parts[1],
                "dag_run_id": run_id,
                "state": "queued",
                "conf": dict(json["conf"]),
                "queued_at": datetime.now(UTC).isoformat(),
            }
            return self.runs[run_id]
        if method == "GET" and len(parts) == 4 and parts[3] in self.runs:
            return self.runs[parts[3]]
        raise AirflowApiError(404, method, path, "not found")

    def queued(self, dag_id: str) -> list[dict[str, Any]]:
        return [r for r in self.runs.values() if r["dag_id"] == dag_id and r["state"] == "queued"]

    def execute(self, run_id: str) -> DagRunResult:
        """Run the recorded run's DAG with its conf; the run takes the result's state."""
        run = self.runs[run_id]
        run["state"] = "running"
        result = run_dag(run["dag_id"], run["conf"])
        run["state"] = "success" if result.succeeded else "failed"
        return result
