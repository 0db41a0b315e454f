"""`airloom up`, `down` and `status`: start the stack, wait until healthy, stop what we started."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from airloom.spark.java import JavaNotFoundError, require_java
from airloom_cli.stack import processes
from airloom_cli.stack.airflow_setup import (
    ADMIN_USER,
    admin_password,
    init_commands,
    service_credentials,
)
from airloom_cli.stack.bootstrap import (
    AIRFLOW_USERS,
    STUDIO_USERS,
    Bootstrap,
    BootstrapError,
    read_bootstrap,
)
from airloom_cli.stack.identity import STUDIO_ADMIN, studio_users
from airloom_cli.stack.services import LOCAL_TENANT, Service, stack_services
from airloom_cli.stack.settings import StackSettings
from workflow_builder_api.services.dag_repository import DagRepositoryError, ensure_repository

Echo = Callable[[str], None]
GIT_MISSING = (
    "git is not installed: the workflow builder publishes into a git repository that Airflow "
    "reads as a versioned DAG bundle; install git (e.g. `apt-get install git`)"
)


class StackError(RuntimeError):
    """Something the user can fix: a taken port, a missing Java, a service that failed."""


@dataclass(frozen=True)
class ServiceStatus:
    service: Service
    record: processes.ProcessRecord | None
    running: bool
    healthy: bool
    detail: str


class Stack:
    def __init__(self, settings: StackSettings | None = None, echo: Echo = print) -> None:
        self.settings = settings or StackSettings()
        self.echo = echo
        self.table = processes.ProcessTable(self.settings.run_dir)
        self.bootstrap = Bootstrap()  # what `up` reads from its environment
        self.services = stack_services(self.settings)

    def service(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        names = ", ".join(s.name for s in self.services)
        raise StackError(f"unknown service {name!r}; the services are: {names}")

    def log_file(self, name: str) -> Path:
        return self.settings.logs_dir / f"{name}.log"

    # -- up -------------------------------------------------------------------------------

    def up(self) -> bool:
        """Start everything and wait until healthy. Returns False if it was already running."""
        running = [r for r in self.table.all() if r.is_alive()]
        if running:
            names = {r.name for r in running}
            missing = [s.name for s in self.services if s.name not in names]
            if missing:
                raise StackError(
                    f"Airloom is partly running ({', '.join(sorted(names))}) but "
                    f"{', '.join(missing)} stopped; run `airloom down`, then `airloom up`."
                )
            self.echo(f"Airloom is already running (state in {self.settings.state_dir}).")
            self._print_urls()
            return False
        self._check_prerequisites()
        self.services = stack_services(self.settings, self.bootstrap)
        # Airflow's workflows bundle clones it as soon as the DAG processor starts.
        try:
            ensure_repository(self.settings.workflows_repo)
        except DagRepositoryError as exc:
            raise StackError(str(exc)) from exc
        started = time.monotonic()
        # Airflow's components wait for its database migration; everything else starts now.
        with ThreadPoolExecutor(max_workers=1) as pool:
            try:
                for service in self.services:
                    if not service.needs_airflow_db:
                        self._start(service)
                airflow = pool.submit(self._initialise_and_start_airflow, started)
                ready = self._wait_healthy(started, airflow)
            except BaseException:
                airflow.cancel()
                pool.shutdown(wait=True)
                self.down(quiet=True)
                raise
        total = time.monotonic() - started
        self._write_timings(total, {"airflow-init": airflow.result(), **ready})
        self.echo(f"Airloom is up in {total:.0f} s (state in {self.settings.state_dir}).")
        self._print_urls()
        return True

    def _check_prerequisites(self) -> None:
        try:
            self.bootstrap = read_bootstrap(os.environ, reserved_users={ADMIN_USER})
        except BootstrapError as exc:
            raise StackError(str(exc)) from exc
        try:
            require_java()
        except JavaNotFoundError as exc:
            raise StackError(str(exc)) from exc
        if shutil.which("git") is None:
            raise StackError(GIT_MISSING)
        for variable, port in self.settings.ports().items():
            if _port_taken(self.settings.host, port):
                raise StackError(
                    f"port {port} on {self.settings.host} is already in use; stop whatever "
                    f"holds it or choose another port with {variable}=<port>."
                )

    def _environment(self, service: Service) -> dict[str, str]:
        # Tenant users' passwords go to Airflow's database (through the plan file), and Studio
        # users' to the builder alone (its own env holds them), not to every service.
        inherited = {k: v for k, v in os.environ.items() if k not in (AIRFLOW_USERS, STUDIO_USERS)}
        return {**inherited, **service.env}

    def _start(self, service: Service) -> None:
        record = processes.spawn(
            service.name,
            service.command,
            self._environment(service),
            self.log_file(service.name),
            cwd=self.settings.project_root,
        )
        self.table.put(record)

    def _initialise_and_start_airflow(self, started: float) -> float:
        """Migrate Airflow's database, refresh the connections, the tenants' roles and the
        logins, then start Airflow's components."""
        airflow_services = [s for s in self.services if s.needs_airflow_db]
        log_file = self.log_file("airflow-init")
        tenants = {LOCAL_TENANT, *self.bootstrap.tenants()}
        for command in init_commands(self.settings, tenants, self.bootstrap.airflow_users):
            with log_file.open("ab") as log:
                result = subprocess.run(
                    command,
                    env=self._environment(airflow_services[0]),
                    cwd=self.settings.project_root,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    check=False,
                )
            if result.returncode != 0:
                raise StackError(
                    f"airflow-init failed (exit code {result.returncode}). "
                    f"Last lines of {log_file}:\n{processes.tail(log_file)}"
                )
        initialised = time.monotonic() - started
        for service in airflow_services:
            self._start(service)
        return initialised

    def _wait_healthy(self, started: float, airflow: Future[float]) -> dict[str, float]:
        deadline = started + self.settings.startup_timeout
        ready: dict[str, float] = {}
        details: dict[str, str] = {}
        while len(ready) < len(self.services):
            if airflow.done():
                airflow.result()  # raises the initialisation's error, if any
            for service in self.services:
                if service.name in ready:
                    continue
                record = self.table.get(service.name)
                if record is None:
                    details[service.name] = "waiting for Airflow's database"
                    continue
                if not record.is_alive():
                    log_file = self.log_file(service.name)
                    raise StackError(
                        f"{service.name} ({service.title}) exited while starting. "
                        f"Last lines of {log_file}:\n{processes.tail(log_file)}"
                    )
                healthy, details[service.name] = service.probe()
                if healthy:
                    ready[service.name] = time.monotonic() - started
                    self.echo(f"  {service.name:<22} healthy after {ready[service.name]:5.1f} s")
            if len(ready) == len(self.services):
                break
            if time.monotonic() > deadline:
                waiting = [s for s in self.services if s.name not in ready]
                lines = "\n".join(f"  {s.name}: {details.get(s.name, '')}" for s in waiting)
                first = self.log_file(waiting[0].name)
                raise StackError(
                    f"not healthy after {self.settings.startup_timeout:.0f} s:\n{lines}\n"
                    f"Last lines of {first}:\n{processes.tail(first)}"
                )
            time.sleep(0.5)
        return ready

    def _write_timings(self, total: float, timings: dict[str, float]) -> None:
        path = self.settings.run_dir / "startup.json"
        path.write_text(json.dumps({"total_seconds": total, "ready_seconds": timings}, indent=2))

    def _print_urls(self) -> None:
        self.echo("")
        for service in self.services:
            if service.url:
                self.echo(f"  {service.title:<45} {service.url}")
        built = (self.settings.studio_dist / "index.html").is_file()
        studio = self.settings.studio_url if built else "not built: run `make studio`"
        self.echo(f"  {'Airloom Studio (web app)':<45} {studio}")
        credentials = service_credentials(self.settings)
        lines = [f"  Airflow login: {ADMIN_USER} / {admin_password(self.settings)}"]
        lines += [
            f"  Airflow login of tenant {user.tenant} ({user.role}): {user.username}"
            for user in self.bootstrap.airflow_users
        ]
        users = studio_users(self.settings, LOCAL_TENANT, self.bootstrap.builder_tokens)
        lines += [
            f"  Studio login (tenant {LOCAL_TENANT}, admin): {STUDIO_ADMIN} / "
            f"{users[STUDIO_ADMIN]['password']}",
            *(
                f"  Studio login of tenant {entry['tenant']} ({entry['role']}): {name}"
                for name, entry in users.items()
                if name != STUDIO_ADMIN
            ),
            f"  Workflow builder token (tenant {LOCAL_TENANT}, admin): "
            f"{credentials['builder_token']}",
            f"  Marketplace API key (tenant {LOCAL_TENANT}, enterprise): "
            f"{credentials['marketplace_key']}",
            f"  Insights API token (tenant {LOCAL_TENANT}, admin): {credentials['insights_token']}",
            "  Stop with `airloom down`; data stays in the state folder.",
        ]
        self.echo("\n" + "\n".join(lines))

    # -- down / status --------------------------------------------------------------------

    def down(self, quiet: bool = False) -> int:
        """Stop every process this stack started. Returns how many were running."""
        records = self.table.all()
        stopped = processes.stop_all(records, self.settings.stop_timeout)
        for record in records:
            self.table.remove(record.name)
        if not quiet:
            for record in stopped:
                self.echo(f"  stopped {record.name} (pid {record.pid})")
            self.echo("Airloom stopped; data kept." if stopped else "Airloom is not running.")
        return len(stopped)

    def status(self) -> list[ServiceStatus]:
        result = []
        for service in self.services:
            record = self.table.get(service.name)
            running = record is not None and record.is_alive()
            healthy, detail = service.probe() if running else (False, "not running")
            result.append(ServiceStatus(service, record, running, healthy, detail))
        return result


def _port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False
