"""The whole local stack for end-to-end tests: `airloom up` on free ports and its own state."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import uuid
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
class Login:
    username: str
    password: str


@dataclass(frozen=True)
class StackTenant:
    """A tenant `airloom up` bootstrapped: a builder token, a marketplace key, Airflow logins
    and a Studio viewer (its editor comes from the token, see ``studio_username``)."""

    name: str
    builder_token: str
    marketplace_key: str
    airflow_viewer: Login
    airflow_editor: Login
    studio_viewer: Login

    @property
    def studio_username(self) -> str:
        """The Studio user `up` creates beside the tenant's editor token (see ``studio_login``)."""
        return f"{self.name}-editor"


def bootstrap_tenants(count: int = 2) -> tuple[StackTenant, ...]:
    """Tenants with fresh names: every stack reads the checkout's dags/ folder, so published
    DAG ids must not meet another session's."""
    tenants = []
    for _ in range(count):
        name = f"t{uuid.uuid4().hex[:10]}"
        tenants.append(
            StackTenant(
                name=name,
                builder_token=f"alb_{secrets.token_urlsafe(24)}",
                marketplace_key=f"alm_{secrets.token_urlsafe(24)}",
                airflow_viewer=Login(f"{name}_viewer", secrets.token_urlsafe(12)),
                airflow_editor=Login(f"{name}_editor", secrets.token_urlsafe(12)),
                # Named as `up` names the users it makes from tokens: <tenant>-<role>.
                studio_viewer=Login(f"{name}-viewer", secrets.token_urlsafe(12)),
            )
        )
    return tuple(tenants)


def bootstrap_environment(tenants: tuple[StackTenant, ...]) -> dict[str, str]:
    """The bootstrap variables `airloom up` reads, as a developer would set them."""
    users = [
        {"username": login.username, "password": login.password, "tenant": t.name, "role": role}
        for t in tenants
        for role, login in (("viewer", t.airflow_viewer), ("editor", t.airflow_editor))
    ]
    return {
        "AIRLOOM_BUILDER_BOOTSTRAP_TOKENS": json.dumps(
            [{"token": t.builder_token, "tenant": t.name, "role": "editor"} for t in tenants]
        ),
        "AIRLOOM_MARKETPLACE_BOOTSTRAP_KEYS": json.dumps(
            [{"key": t.marketplace_key, "tenant": t.name, "tier": "pro"} for t in tenants]
        ),
        "AIRLOOM_AIRFLOW_BOOTSTRAP_USERS": json.dumps(users),
        # The editor's Studio user comes from its token; a viewer has no token, so it is given.
        "AIRLOOM_BUILDER_BOOTSTRAP_USERS": json.dumps(
            [
                {
                    "username": t.studio_viewer.username,
                    "password": t.studio_viewer.password,
                    "tenant": t.name,
                    "role": "viewer",
                }
                for t in tenants
            ]
        ),
    }


@dataclass(frozen=True)
class LocalStack:
    env: dict[str, str]
    tenants: tuple[StackTenant, ...] = ()
    up_output: str = ""  # what `airloom up` printed

    def url(self, variable: str, path: str = "") -> str:
        return f"http://{LOOPBACK}:{self.env[variable]}{path}"

    @property
    def home(self) -> Path:
        return Path(self.env["AIRLOOM_HOME"])

    @property
    def workflows_repo(self) -> Path:
        """The git repository the stack's builder publishes workflows into (Airflow's
        versioned bundle of them); it goes with the stack's state folder."""
        return self.home / "workflows"

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
    def credentials(self) -> dict:
        """The local builder token, marketplace API key and Studio users `airloom up` created."""
        return json.loads((self.home / "credentials.json").read_text())

    def studio_login(self, username: str = "admin") -> Login:
        """A Studio user `airloom up` created, from credentials.json's ``studio_users``."""
        return Login(username, self.credentials["studio_users"][username]["password"])

    def task_logs(self, dag_id: str, run_id: str, tail: int = 4000) -> str:
        """The end of each log a run's tasks (and their triggers) wrote: what a failure
        message shows, since the state folder goes with the stack."""
        run = self.home / "airflow" / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
        return (
            "\n".join(
                f"--- {log.relative_to(run)}\n{log.read_text(errors='replace')[-tail:]}"
                for log in sorted(run.rglob("*.log*"))
            )
            or f"no logs under {run}"
        )

    def airflow(self) -> RestAirflowClient:
        return RestAirflowClient(self.airflow_url, "admin", self.admin_password)


# A port chosen free may be taken by another process before the stack binds it (a service
# starts up to a minute later); only that race earns a second try, on new ports.
PORT_RACE = "address already in use"


@contextmanager
def local_stack() -> Iterator[LocalStack]:
    """`airloom up` in a temporary state folder, with two tenants bootstrapped."""
    tenants = bootstrap_tenants()
    for attempt in (1, 2):
        with tempfile.TemporaryDirectory(prefix="airloom-stack-") as home:
            env = stack_environment(Path(home))
            env.update(bootstrap_environment(tenants))
            started = run_airloom(env, "up")
            try:
                if started.returncode == 0:
                    yield LocalStack(env, tenants, started.stdout)
                    return
            finally:
                run_airloom(env, "down")
            output = f"{started.stdout}\n{started.stderr}"
            if attempt == 2 or PORT_RACE not in output:
                raise RuntimeError(f"airloom up failed:\n{output}")
