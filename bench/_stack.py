"""`airloom up` for a benchmark: a fresh state folder, free ports, always brought down again."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from airloom_cli.stack.settings import StackSettings
from tests.harness.servers import free_port

AIRLOOM = str(Path(sys.executable).parent / "airloom")


@contextmanager
def local_stack(extra_env: dict[str, str] | None = None) -> Iterator[dict[str, str]]:
    """The stack's environment while it runs (``AIRLOOM_HOME`` and every port in it)."""
    with tempfile.TemporaryDirectory(prefix="airloom-bench-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "AIRLOOM"))}
        env["AIRLOOM_HOME"] = home
        env.update({name: str(free_port()) for name in StackSettings().ports()})
        env.update(extra_env or {})
        try:
            up = subprocess.run([AIRLOOM, "up"], env=env, capture_output=True, text=True)
            if up.returncode != 0:
                sys.exit(f"`airloom up` failed:\n{up.stdout}\n{up.stderr}")
            yield env
        finally:
            subprocess.run([AIRLOOM, "down"], env=env, capture_output=True, check=False)
