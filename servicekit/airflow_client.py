"""One client for Airflow's REST API v2, locally and on MWAA, behind the same interface.

Locally the services call the api-server directly with a JWT from ``/auth/token``; on AWS they
call MWAA's ``InvokeRestApi`` with their IAM role, which forwards the same paths to the same
API (:mod:`servicekit.mwaa_airflow_client`). Everything above :meth:`AirflowClient.request`
is shared, and one contract test suite runs against both.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

TERMINAL_RUN_STATES = frozenset({"success", "failed"})


class AirflowApiError(RuntimeError):
    def __init__(self, status: int, method: str, path: str, detail: Any) -> None:
        self.status = status
        self.detail = detail
        super().__init__(f"Airflow API {method} {path} answered {status}: {detail}")


@dataclass(frozen=True)
class DagRun:
    dag_id: str
    run_id: str
    state: str
    conf: dict[str, Any]
    queued_at: datetime | None
    start_date: datetime | None
    end_date: datetime | None
    run_type: str | None = None  # manual, scheduled, asset_triggered, backfill …
    run_after: datetime | None = None
    # Airflow's own numbers of the DAG versions the run's tasks ran on, oldest first.
    dag_versions: tuple[int, ...] = ()

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> DagRun:
        return cls(
            dag_id=body["dag_id"],
            run_id=body["dag_run_id"],
            state=body["state"],
            conf=body.get("conf") or {},
            queued_at=_time(body.get("queued_at")),
            start_date=_time(body.get("start_date")),
            end_date=_time(body.get("end_date")),
            run_type=body.get("run_type"),
            run_after=_time(body.get("run_after")),
            dag_versions=tuple(
                sorted(version["version_number"] for version in body.get("dag_versions") or [])
            ),
        )

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_RUN_STATES


@dataclass(frozen=True)
class TaskInstance:
    task_id: str
    state: str | None
    try_number: int
    start_date: datetime | None
    end_date: datetime | None
    log_url: str | None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _path(*parts: str) -> str:
    return "/" + "/".join(quote(part, safe="") for part in parts)


class AirflowClient(ABC):
    """What Airloom's services ask of Airflow; subclasses only move requests (or, for a
    service that is not Airflow's REST API, answer the same questions its own way)."""

    # Airflow parses a published DAG file itself: a trigger waits until it has parsed the
    # published version. A service that snapshots a definition at publish needs no wait.
    parses_published_files = True

    @abstractmethod
    def request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """Call ``/api/v2`` + ``path``; return the decoded body or raise AirflowApiError."""

    @property
    @abstractmethod
    def ui_url(self) -> str:
        """Base URL of the Airflow UI, for links shown to users."""

    def get_dag(self, dag_id: str) -> dict[str, Any] | None:
        try:
            return self.request("GET", _path("dags", dag_id))
        except AirflowApiError as exc:
            if exc.status == 404:
                return None
            raise

    def latest_dag_version(self, dag_id: str) -> dict[str, Any] | None:
        """The DAG's newest serialized version (``version_number``, ``bundle_version`` …)."""
        body = self.request(
            "GET",
            _path("dags", dag_id, "dagVersions"),
            params={"order_by": "-version_number", "limit": 1},
        )
        versions = body.get("dag_versions") or []
        return versions[0] if versions else None

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.request("PATCH", _path("dags", dag_id), json={"is_paused": paused})

    def trigger(
        self,
        dag_id: str,
        conf: dict[str, Any] | None = None,
        run_id: str | None = None,
        *,
        pinned_version: str | None = None,
    ) -> DagRun:
        """Start a run. ``pinned_version`` is a service's own id of the version to run (MWAA
        Serverless); Airflow pins a run through its DAG bundle instead, so it is unused here."""
        body: dict[str, Any] = {"logical_date": None, "conf": conf or {}}
        if run_id:
            body["dag_run_id"] = run_id
        return DagRun.from_api(self.request("POST", _path("dags", dag_id, "dagRuns"), json=body))

    def get_run(self, dag_id: str, run_id: str) -> DagRun:
        return DagRun.from_api(self.request("GET", _path("dags", dag_id, "dagRuns", run_id)))

    def list_runs(self, dag_id: str, limit: int = 25) -> list[DagRun]:
        body = self.request(
            "GET",
            _path("dags", dag_id, "dagRuns"),
            params={"limit": limit, "order_by": "-run_after"},
        )
        return [DagRun.from_api(run) for run in body["dag_runs"]]

    def runs_of(self, dag_ids: Iterable[str], limit: int = 100) -> list[DagRun]:
        """The newest runs of several DAGs in one call, newest first."""
        body = self.request(
            "POST",
            _path("dags", "~", "dagRuns", "list"),
            json={"dag_ids": list(dag_ids), "page_limit": limit, "order_by": "-run_after"},
        )
        return [DagRun.from_api(run) for run in body["dag_runs"]]

    def clear_tasks(
        self, dag_id: str, run_id: str, task_ids: list[str] | None, *, only_failed: bool
    ) -> list[str]:
        """Clear tasks of one run and everything downstream of them, so Airflow runs them
        again on the DAG version the run started on; return the task ids cleared.

        :param task_ids: where to start; None: every task (with ``only_failed``, the failed).
        """
        body: dict[str, Any] = {
            "dry_run": False,
            "dag_run_id": run_id,
            "only_failed": only_failed,
            "include_downstream": True,
            "reset_dag_runs": True,
            "run_on_latest_version": False,
            "prevent_running_task": True,
        }
        if task_ids is not None:
            body["task_ids"] = task_ids
        found = self.request("POST", _path("dags", dag_id, "clearTaskInstances"), json=body)
        return [ti["task_id"] for ti in found.get("task_instances") or []]

    def xcom_value(self, dag_id: str, run_id: str, task_id: str, key: str) -> Any | None:
        """The value a task pushed under ``key`` (None when there is none)."""
        path = _path(
            "dags", dag_id, "dagRuns", run_id, "taskInstances", task_id, "xcomEntries", key
        )
        found = self._found(path)
        value = found["value"] if found is not None else None
        if isinstance(value, str):  # stored as JSON text, or already decoded
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def task_error(self, dag_id: str, run_id: str, task_id: str) -> str | None:
        """The error a service reports for a task's latest try, where it reports one (Airflow's
        REST API does not: the task's XCom and log say why)."""
        return None

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int) -> list[Any]:
        """One try's whole log: structured entries (``event``, ``level``, ``timestamp`` …) or
        lines of text; empty when the try has left no log."""
        path = _path("dags", dag_id, "dagRuns", run_id, "taskInstances", task_id, "logs")
        body = self._found(f"{path}/{try_number}", {"full_content": "true"})
        content = body.get("content") if isinstance(body, dict) else body
        if isinstance(content, str):
            return content.splitlines()
        return list(content or [])

    def dag_source(self, dag_id: str, version_number: int) -> str | None:
        """The DAG file's source as Airflow parsed it for one of its DAG versions."""
        body = self._found(_path("dagSources", dag_id), {"version_number": version_number})
        return body.get("content") if body is not None else None

    def _found(self, path: str, params: dict[str, Any] | None = None) -> Any | None:
        """GET ``path``; None where Airflow has no such thing (404)."""
        try:
            return self.request("GET", path, params=params)
        except AirflowApiError as exc:
            if exc.status == 404:
                return None
            raise

    def cancel(self, dag_id: str, run_id: str) -> DagRun:
        """Mark a run failed: Airflow stops its running tasks and schedules nothing more."""
        path = _path("dags", dag_id, "dagRuns", run_id)
        return DagRun.from_api(self.request("PATCH", path, json={"state": "failed"}))

    def task_instances(self, dag_id: str, run_id: str) -> list[TaskInstance]:
        body = self.request("GET", _path("dags", dag_id, "dagRuns", run_id, "taskInstances"))
        return [
            TaskInstance(
                task_id=ti["task_id"],
                state=ti.get("state"),
                try_number=ti.get("try_number") or 0,
                start_date=_time(ti.get("start_date")),
                end_date=_time(ti.get("end_date")),
                log_url=self.log_url(dag_id, run_id, ti["task_id"], ti.get("try_number") or 0),
            )
            for ti in body["task_instances"]
        ]

    def import_errors(self) -> list[dict[str, Any]]:
        return self.request("GET", "/importErrors", params={"limit": 100})["import_errors"]

    def ensure_role(self, name: str, permissions: Iterable[tuple[str, str]]) -> bool:
        """Create an auth-manager role with ``(action, resource)`` permissions if it is missing.

        Returns False where this client cannot manage roles; an existing role is left as it is.
        """
        return False

    def log_url(self, dag_id: str, run_id: str, task_id: str, try_number: int) -> str:
        path = _path("dags", dag_id, "runs", run_id, "tasks", task_id)
        return f"{self.ui_url}{path}?try_number={try_number}"

    def wait_for_dag(self, dag_id: str, timeout: float = 120.0, poll: float = 1.0) -> dict:
        """Wait until the DAG processor has parsed ``dag_id``."""
        deadline = time.monotonic() + timeout
        while (dag := self.get_dag(dag_id)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"DAG {dag_id!r} did not appear in Airflow within {timeout} s")
            time.sleep(poll)
        return dag

    def wait_for_run(
        self, dag_id: str, run_id: str, timeout: float = 600.0, poll: float = 2.0
    ) -> DagRun:
        deadline = time.monotonic() + timeout
        while not (run := self.get_run(dag_id, run_id)).finished:
            if time.monotonic() > deadline:
                raise TimeoutError(f"run {run_id} of {dag_id} still {run.state} after {timeout} s")
            time.sleep(poll)
        return run


class RestAirflowClient(AirflowClient):
    """Airflow's api-server reached directly, with a JWT from its ``/auth/token`` endpoint."""

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self._credentials = {"username": username, "password": password}
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._token: str | None = None

    @property
    def ui_url(self) -> str:
        return self.base_url

    def _authenticate(self) -> str:
        response = self._http.post("/auth/token", json=self._credentials)
        if response.status_code >= 400:
            raise AirflowApiError(response.status_code, "POST", "/auth/token", response.text)
        self._token = response.json()["access_token"]
        return self._token

    def request(self, method, path, *, json=None, params=None):  # type: ignore[override]
        return self._call(method, path, json=json, params=params)

    def ensure_role(self, name: str, permissions: Iterable[tuple[str, str]]) -> bool:
        """Through the FAB auth manager's own API, which the api-server serves under /auth."""
        body = {
            "name": name,
            "actions": [
                {"action": {"name": action}, "resource": {"name": resource}}
                for action, resource in permissions
            ],
        }
        try:
            self._call("POST", "/roles", json=body, prefix="/auth/fab/v1")
        except AirflowApiError as exc:
            if exc.status != 409:  # 409: the role exists already
                raise
        return True

    def _call(self, method: str, path: str, *, json=None, params=None, prefix="/api/v2") -> Any:
        for attempt in range(2):
            token = self._token or self._authenticate()
            response = self._http.request(
                method,
                f"{prefix}{path}",
                json=json,
                params=params,
                headers={"Authorization": f"Bearer {token}"},
            )
            if response.status_code == 401 and attempt == 0:
                self._token = None  # expired: fetch a new token once
                continue
            break
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise AirflowApiError(response.status_code, method, path, detail)
        return response.json() if response.content else None


class AirflowSettings(BaseSettings):
    """Where the services find Airflow: a local api-server, or an MWAA environment on AWS."""

    model_config = SettingsConfigDict(env_prefix="AIRLOOM_AIRFLOW_", extra="ignore")

    api_url: str = "http://127.0.0.1:8080"
    username: str = "admin"
    password: str = ""
    mwaa_environment: str | None = Field(
        default=None, description="MWAA environment name; when set, calls go through MWAA."
    )
    aws_region: str | None = None
    aws_endpoint_url: str | None = Field(default=None, description="e.g. a moto server in tests")


def airflow_client(settings: AirflowSettings | None = None) -> AirflowClient:
    settings = settings or AirflowSettings()
    if settings.mwaa_environment:
        # Imported here: boto3 is loaded only by services that run on AWS.
        from servicekit.mwaa_airflow_client import MwaaAirflowClient

        return MwaaAirflowClient.connect(
            settings.mwaa_environment,
            region=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
        )
    return RestAirflowClient(settings.api_url, settings.username, settings.password)
