"""The whole local stack for end-to-end tests: `airloom up` on free ports and its own state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from airloom_cli.stack.settings import StackSettings
from servicekit.airflow_client import RestAirflowClient
from tests.harness.servers import LOOPBACK, free_port

AIRLOOM = str(Path(sys.executable).parent / "airloom")
PORT_VARIABLES = tuple(StackSettings().ports())  # every port `airloom up` binds


def stack_environment(home: Path) -> dict[str, str]:
    """A clean environment for the `airloom` command: its own state folder and free ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "AIRLOOM"))}
    env["AIRLOOM_HOME"] = str(home)
    env.update({variable: str(free_port()) for variable in PORT_VARIABLES})
    return env


def run_airloom(
    env: dict[str, str], *args: str, timeout: float = 400
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [AIRLOOM, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@dataclass(frozen=True)
class LocalStack:
    env: dict[str, str]

    def url(self, variable: str, path: str = "") -> str:
        return f"http://{LOOPBACK}:{self.env[variable]}{path}"

    @property
    def home(self) -> Path:
        return Path(self.env["AIRLOOM_HOME"])

    @property
    def airflow_url(self) -> str:
        return self.url("AIRLOOM_AIRFLOW_PORT")

    @property
    def mlflow_url(self) -> str:
        return self.url("AIRLOOM_MLFLOW_PORT")

    @property
    def kafka_bootstrap(self) -> str:
        return f"{LOOPBACK}:{self.env['AIRLOOM_KAFKA_PORT']}"

    @property
    def admin_password(self) -> str:
        passwords = json.loads((self.home / "airflow" / "passwords.json").read_text())
        return passwords["admin"]

    @property
    def credentials(self) -> dict[str, str]:
        """The local builder token and marketplace API key `airloom up` created."""
        return json.loads((self.home / "credentials.json").read_text())

    def airflow(self) -> RestAirflowClient:
        return RestAirflowClient(self.airflow_url, "admin", self.admin_password)


@contextmanager
def local_stack() -> Iterator[LocalStack]:
    with tempfile.TemporaryDirectory(prefix="airloom-stack-") as home:
        env = stack_environment(Path(home))
        started = run_airloom(env, "up")
        try:
            if started.returncode != 0:
                raise RuntimeError(f"airloom up failed:\n{started.stdout}\n{started.stderr}")
            yield LocalStack(env)
        finally:
            run_airloom(env, "down")
