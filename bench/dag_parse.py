"""Parse time of each built-in DAG file against a one-task DAG, through Airflow's DagBag.

Each file is parsed in a fresh interpreter that has Airflow imported, as the DAG processor's
parsing process has it. "first" is the file's first parse there: it includes importing Airloom's
modules and Airflow's one-time set-up of its providers' asset handlers (the first Asset a
process creates pays it). "steady" is the median of further parses once the file's imports are
loaded, as with Airflow's ``parsing_pre_import_modules``: what each DAG file itself costs. Each
ratio pairs the file with a one-task DAG parsed in the interpreter just before it; the figure is
the median over the pairs.
Python's bytecode cache is on, as on a DAG processor host (some shells turn it off with
PYTHONDONTWRITEBYTECODE; the cache goes to a temporary folder, not into ``dags/``).
Targets: steady at most 3x the one-task DAG; first well under a second.

    .venv/bin/python bench/dag_parse.py [--samples 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

DAGS = Path(__file__).resolve().parents[1] / "dags"
BASELINE = """
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("one_task", schedule=None, start_date=datetime(2026, 1, 1)):
    EmptyOperator(task_id="only")
"""
MEASURE = """
import json, sys, time, logging
from pathlib import Path
logging.disable(logging.CRITICAL)
from airflow.dag_processing.dagbag import DagBag
import airflow.sdk, airflow.providers.standard.operators.empty  # what the processor preloads
path = Path(sys.argv[1])
times = []
for _ in range(21):
    start = time.perf_counter()
    bag = DagBag(dag_folder=path, bundle_path=path.parent)
    times.append(time.perf_counter() - start)
    if bag.import_errors or not bag.dags:
        raise SystemExit(f"{path.name}: {bag.import_errors or 'no DAG'}")
steady = sorted(times[1:])[len(times[1:]) // 2]
print(json.dumps([times[0], steady]))
"""


def parse_once(path: Path, env: dict[str, str]) -> tuple[float, float]:
    """First-parse and median steady-parse seconds in one fresh interpreter."""
    output = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    first, steady = json.loads(output.strip().splitlines()[-1])
    return first, steady


def parse_times(
    path: Path, baseline: Path, samples: int, env: dict[str, str]
) -> tuple[float, float, float]:
    """Median first parse, steady parse and steady ratio to the baseline over ``samples``.

    Each sample parses the baseline in one fresh interpreter and the file in the next, and
    takes their ratio: a noisy neighbour that comes and goes slows both sides of a pair alike.
    """
    first, steady, ratios = [], [], []
    for _ in range(samples):
        _, base = parse_once(baseline, env)
        one, many = parse_once(path, env)
        first.append(one)
        steady.append(many)
        ratios.append(many / base)
    return statistics.median(first), statistics.median(steady), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(folder) / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        baseline = Path(folder) / "one_task.py"
        baseline.write_text(BASELINE)
        base_first, base_steady = parse_once(baseline, env)
        print(
            f"baseline one-task DAG: steady {base_steady * 1000:.2f} ms, "
            f"first {base_first * 1000:.1f} ms"
        )
        print(f"{'DAG file':<32}{'steady ms':>10}{'ratio':>7}{'first ms':>10}")
        worst, slowest = 0.0, 0.0
        for path in sorted(DAGS.glob("*.py")):
            if path.name.startswith("wf_"):
                continue  # workflows published by the builder, not built in
            first, steady, ratio = parse_times(path, baseline, args.samples, env)
            worst, slowest = max(worst, ratio), max(slowest, first)
            print(f"{path.name:<32}{steady * 1000:>10.2f}{ratio:>6.1f}x{first * 1000:>10.1f}")
    print(f"worst steady ratio: {worst:.2f}x (target: at most 3x)")
    print(f"slowest first parse: {slowest * 1000:.0f} ms (target: well under a second)")


if __name__ == "__main__":
    main()
