"""Airflow's REST API as the marketplace sees it, with runs executed by ``dag.test()``.

The marketplace starts DAG runs through :class:`servicekit.airflow_client.AirflowClient`. Here
a trigger is recorded as a queued run (under the run id asked for, if any), exactly as the
api-server would answer; the test then executes that run's real DAG from `dags/` with
``run_dag`` and the recorded conf, and the run's state becomes the DAG run's. Its XComs are
read from Airflow's metadata database as the api-server's ``xcomEntries`` route reads them.
(The full stack, with Airflow's own api-server, is the end-to-end suite's.)
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from servicekit.airflow_client import AirflowApiError, AirflowClient
from tests.harness.airflow import DagRunResult, run_dag


class DagTestAirflow(AirflowClient):
    def __init__(self) -> None:
        self.runs: dict[str, dict[str, Any]] = {}
        self.executed: dict[str, str] = {}  # run id here → the run id dag.test() used
        self._lock = threading.Lock()  # requests arrive from the app's worker threads

    @property
    def ui_url(self) -> str:
        return "http://airflow.test"

    def request(self, method, path, *, json=None, params=None):  # type: ignore[override]
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 3 and parts[2] == "dagRuns":
            run_id = json.get("dag_run_id") or f"manual__{uuid.uuid4().hex[:12]}"
            with self._lock:
                if run_id in self.runs:
                    raise AirflowApiError(409, method, path, f"run {run_id} exists")
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
        if method == "GET" and len(parts) == 8 and parts[6] == "xcomEntries":
            found = self.xcom(parts[3], parts[5], parts[7])
            if found is not None:
                return {"key": parts[7], "value": found}
        raise AirflowApiError(404, method, path, "not found")

    def xcom(self, run_id: str, task_id: str, key: str) -> Any | None:
        """What the executed run's task pushed under ``key``, from Airflow's database."""
        if run_id not in self.executed:
            return None
        from airflow.models.xcom import XComModel
        from airflow.utils.session import create_session

        with create_session() as session:
            query = XComModel.get_many(
                run_id=self.executed[run_id],
                key=key,
                task_ids=task_id,
                dag_ids=self.runs[run_id]["dag_id"],
            )
            row = session.scalars(query.limit(1)).first()
            return XComModel.deserialize_value(row) if row is not None else None

    def queued(self, dag_id: str) -> list[dict[str, Any]]:
        return [r for r in self.runs.values() if r["dag_id"] == dag_id and r["state"] == "queued"]

    def execute(self, run_id: str) -> DagRunResult:
        """Run the recorded run's DAG with its conf; the run takes the result's state."""
        run = self.runs[run_id]
        run["state"] = "running"
        result = run_dag(run["dag_id"], run["conf"])
        self.executed[run_id] = result.run_id
        run["state"] = "success" if result.succeeded else "failed"
        return result
