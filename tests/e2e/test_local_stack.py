"""`airloom up` on loopback, a DAG run in the real scheduler, then `airloom down`.

Runs the CLI as a user would, against its own state folder and free ports, so it never
touches a stack the developer already has running. The session's stack (tests/conftest.py) is
the one `up` started; stopping it is the last end-to-end test (``stops_the_stack``).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from airloom_cli.stack.services import stack_services
from airloom_cli.stack.settings import StackSettings
from tests.harness.servers import LOOPBACK
from tests.harness.stack import LocalStack, run_airloom, stack_environment

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack_env(tmp_path: Path) -> dict[str, str]:
    return stack_environment(tmp_path / "state")


def airloom(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_airloom(env, *args)


def url(env: dict[str, str], variable: str, path: str) -> str:
    return f"http://{LOOPBACK}:{env[variable]}{path}"


def airflow_token(env: dict[str, str]) -> str:
    passwords = json.loads((Path(env["AIRLOOM_HOME"]) / "airflow" / "passwords.json").read_text())
    response = httpx.post(
        url(env, "AIRLOOM_AIRFLOW_PORT", "/auth/token"),
        timeout=60.0,
        json={"username": "admin", "password": passwords["admin"]},
    )
    response.raise_for_status()
    return response.json()["access_token"]


def recorded_processes(env: dict[str, str]) -> list[psutil.Process]:
    """Every process `up` started, with all their descendants."""
    procs = []
    for pid_file in (Path(env["AIRLOOM_HOME"]) / "run").glob("*.json"):
        if pid_file.name == "startup.json":
            continue
        leader = psutil.Process(json.loads(pid_file.read_text())["pid"])
        procs += [leader, *leader.children(recursive=True)]
    return procs


def test_a_taken_port_is_named_and_nothing_starts(stack_env: dict[str, str]) -> None:
    with socket.socket() as holder:
        holder.bind((LOOPBACK, 0))
        holder.listen()
        stack_env["AIRLOOM_MLFLOW_PORT"] = str(holder.getsockname()[1])
        result = airloom(stack_env, "up")
    assert result.returncode != 0
    assert f"port {stack_env['AIRLOOM_MLFLOW_PORT']}" in result.stderr
    assert "AIRLOOM_MLFLOW_PORT" in result.stderr
    assert not list((Path(stack_env["AIRLOOM_HOME"]) / "run").glob("*.json"))


def test_missing_java_is_a_clear_message(stack_env: dict[str, str]) -> None:
    stack_env.pop("JAVA_HOME", None)
    stack_env["PATH"] = str(Path(sys.executable).parent)  # the venv, but no java
    result = airloom(stack_env, "up")
    assert result.returncode != 0
    assert "Java 17 or newer is required" in result.stderr
    assert "Traceback" not in result.stderr


def test_up_serves_every_service_and_runs_a_dag_in_the_scheduler(stack: LocalStack) -> None:
    env = stack.env
    assert "Airflow login: admin / " in stack.up_output
    assert len(recorded_processes(env)) >= 8
    for variable, path in [
        ("AIRLOOM_MLFLOW_PORT", "/health"),
        ("AIRLOOM_AIRFLOW_PORT", "/api/v2/monitor/health"),
        ("AIRLOOM_BUILDER_PORT", "/healthz"),
        ("AIRLOOM_MARKETPLACE_PORT", "/healthz"),
        ("AIRLOOM_MARKETPLACE_PORT", "/api/v1/"),
        ("AIRLOOM_MARKETPLACE_PORT", "/docs"),
        ("AIRLOOM_MARKETPLACE_PORT", "/metrics"),
        ("AIRLOOM_SERVING_PORT", "/healthz"),
        ("AIRLOOM_INSIGHTS_PORT", "/healthz"),
        ("AIRLOOM_BUILDER_PORT", "/metrics"),
    ]:
        assert httpx.get(url(env, variable, path), timeout=60).status_code == 200, (
            variable,
            path,
        )
    graphql = httpx.post(
        url(env, "AIRLOOM_BUILDER_PORT", "/graphql"),
        json={"query": "{ serviceInfo { service } }"},
    )
    assert graphql.json() == {"data": {"serviceInfo": {"service": "airloom-workflow-builder"}}}

    credentials = json.loads((stack.home / "credentials.json").read_text())
    assert credentials["marketplace_key"] in stack.up_output
    catalog = httpx.get(
        url(env, "AIRLOOM_MARKETPLACE_PORT", "/api/v1/models"),
        headers={"X-API-Key": credentials["marketplace_key"]},
    )
    assert catalog.status_code == 200, catalog.text
    anonymous = httpx.get(url(env, "AIRLOOM_MARKETPLACE_PORT", "/api/v1/models"))
    assert anonymous.status_code == 401
    builder = httpx.post(
        url(env, "AIRLOOM_BUILDER_PORT", "/graphql"),
        json={"query": "{ nodeTypes { type } }"},
        headers={"Authorization": f"Bearer {credentials['builder_token']}"},
    )
    assert "spark_transform" in {t["type"] for t in builder.json()["data"]["nodeTypes"]}
    kpis = httpx.get(
        url(env, "AIRLOOM_INSIGHTS_PORT", "/api/v1/kpis"),
        headers={"Authorization": f"Bearer {credentials['insights_token']}"},
    )
    assert kpis.status_code == 200, kpis.text

    again = airloom(env, "up")
    assert again.returncode == 0
    assert "already running" in again.stdout
    status = airloom(env, "status")
    lines = status.stdout.strip().splitlines()
    assert status.returncode == 0 and len(lines) == len(stack_services(StackSettings()))
    assert all(line.split()[1] == "healthy" for line in lines), status.stdout

    assert run_stack_check(env) == "success"


@pytest.mark.stops_the_stack
def test_down_stops_everything_up_started(stack: LocalStack) -> None:
    """The session's stack, stopped by the command a user runs: its last end-to-end test."""
    processes = recorded_processes(stack.env)
    stopped = airloom(stack.env, "down")
    assert stopped.returncode == 0
    assert "stopped airflow-scheduler" in stopped.stdout
    _, alive = psutil.wait_procs(processes, timeout=10)
    assert not alive, [p.pid for p in alive]
    assert airloom(stack.env, "status").returncode != 0


def run_stack_check(env: dict[str, str], timeout: float = 240) -> str:
    """Trigger the built-in stack-check DAG through Airflow's REST API v2 and wait for it."""
    # A loaded 2-core machine can take seconds per call: allow it, the deadline still bounds.
    http = httpx.Client(headers={"Authorization": f"Bearer {airflow_token(env)}"}, timeout=60.0)
    api = url(env, "AIRLOOM_AIRFLOW_PORT", "/api/v2")
    dag = f"{api}/dags/airloom_stack_check"
    deadline = time.monotonic() + timeout
    while http.get(dag).status_code == 404:  # not parsed yet
        assert time.monotonic() < deadline, "the DAG never appeared in Airflow"
        time.sleep(1)
    http.patch(dag, json={"is_paused": False}).raise_for_status()
    run = http.post(f"{dag}/dagRuns", json={"logical_date": None})
    run.raise_for_status()
    run_url = f"{dag}/dagRuns/{run.json()['dag_run_id']}"
    while True:
        state = http.get(run_url).json()["state"]
        if state in ("success", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(2)
