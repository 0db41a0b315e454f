"""How long `airloom up` takes to all-healthy, and each service's share of it.

Runs the real CLI twice against a fresh state folder on free loopback ports: a cold start
(empty databases, migrations included) and a warm start (state kept from the first run, as
after `airloom down`). Each service's share is its time-to-healthy over the stack's total;
the budget ratio compares the total with the 120 s the stack promises on a 2-core machine.

    .venv/bin/python bench/stack_startup.py
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from airloom_cli.stack.settings import StackSettings

BUDGET_SECONDS = 120.0
AIRLOOM = str(Path(sys.executable).parent / "airloom")
PORTS = list(StackSettings().ports())  # every port `airloom up` binds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(env: dict[str, str], label: str) -> None:
    began = time.monotonic()
    result = subprocess.run([AIRLOOM, "up"], env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - began
    if result.returncode != 0:
        sys.exit(f"`airloom up` failed:\n{result.stdout}\n{result.stderr}")
    timings = json.loads((Path(env["AIRLOOM_HOME"]) / "run" / "startup.json").read_text())
    total = timings["total_seconds"]
    print(f"\n{label}: all healthy after {total:.1f} s (command wall time {wall:.1f} s)")
    print(f"  ratio to the {BUDGET_SECONDS:.0f} s budget: {total / BUDGET_SECONDS:.2f}")
    print(f"  {'service':<24}{'healthy at':>12}{'share':>8}")
    for name, seconds in sorted(timings["ready_seconds"].items(), key=lambda item: item[1]):
        print(f"  {name:<24}{seconds:>11.1f}s{seconds / total:>8.0%}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="airloom-bench-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "AIRLOOM"))}
        env["AIRLOOM_HOME"] = home
        env.update({name: str(free_port()) for name in PORTS})
        try:
            start(env, "cold start (fresh state)")
            subprocess.run([AIRLOOM, "down"], env=env, capture_output=True, check=True)
            start(env, "warm start (state kept)")
        finally:
            subprocess.run([AIRLOOM, "down"], env=env, capture_output=True, check=False)


if __name__ == "__main__":
    main()
