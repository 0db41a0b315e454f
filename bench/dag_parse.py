"""Parse time of each built-in DAG file against a one-task DAG, through Airflow's DagBag.

"first" is each file's first parse in a fresh interpreter that has Airflow imported, as the DAG
processor's parsing process has it: it includes importing Airloom's modules and Airflow's
one-time set-up of its providers' asset handlers (the first Asset a process creates pays it).
It is the median of three such interpreters, after one that fills the bytecode cache.

"steady" is what the DAG file itself costs once its imports are loaded, as with Airflow's
``parsing_pre_import_modules``. One interpreter parses the one-task DAG and every built-in file
in turn, round after round, so both sides of each ratio share the same heap, caches and
moment on this machine; the ratio is the median over rounds of (file / one-task DAG parsed in
the same round). Python's bytecode cache is on, as on a DAG processor host (some shells turn
it off with PYTHONDONTWRITEBYTECODE; the cache goes to a temporary folder, not into ``dags/``).
Targets: steady at most 3x the one-task DAG; first well under a second.

    .venv/bin/python bench/dag_parse.py [--rounds 60]
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
PRELUDE = """
import json, sys, time, logging
from pathlib import Path
logging.disable(logging.CRITICAL)
from airflow.dag_processing.dagbag import DagBag
import airflow.sdk, airflow.providers.standard.operators.empty  # what the processor preloads

def parse(path):
    start = time.perf_counter()
    bag = DagBag(dag_folder=path, bundle_path=path.parent)
    seconds = time.perf_counter() - start
    if bag.import_errors or not bag.dags:
        raise SystemExit(f"{path.name}: {bag.import_errors or 'no DAG'}")
    return seconds
"""
FIRST = PRELUDE + "print(json.dumps(parse(Path(sys.argv[1]))))"
STEADY = (
    PRELUDE
    + """
paths = [Path(name) for name in sys.argv[2:]]
for path in paths:  # first parses and a warm-up round, not measured
    parse(path), parse(path)
times = {str(path): [] for path in paths}
for _ in range(int(sys.argv[1])):
    for path in paths:
        times[str(path)].append(parse(path))
print(json.dumps(times))
"""
)


def run(script: str, args: list[str], env: dict[str, str]) -> object:
    output = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True, env=env
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    files = [path for path in sorted(DAGS.glob("*.py")) if not path.name.startswith("wf_")]
    with tempfile.TemporaryDirectory() as folder:  # wf_* files are builder-published workflows
        env = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(folder) / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        baseline = Path(folder) / "one_task.py"
        baseline.write_text(BASELINE)
        paths = [baseline, *files]
        first = {}
        for path in paths:
            runs = [run(FIRST, [str(path)], env) for _ in range(4)]
            first[path] = statistics.median(runs[1:])  # runs[0] compiled the bytecode cache
        steady = run(STEADY, [str(args.rounds), *map(str, paths)], env)
    base = steady[str(baseline)]
    print(
        f"baseline one-task DAG: steady {statistics.median(base) * 1000:.2f} ms, "
        f"first {first[baseline] * 1000:.1f} ms ({args.rounds} rounds)"
    )
    print(f"{'DAG file':<32}{'steady ms':>10}{'ratio':>7}{'first ms':>10}")
    worst, slowest = 0.0, 0.0
    for path in files:
        times = steady[str(path)]
        ratio = statistics.median(mine / one for mine, one in zip(times, base, strict=True))
        worst, slowest = max(worst, ratio), max(slowest, first[path])
        print(
            f"{path.name:<32}{statistics.median(times) * 1000:>10.2f}{ratio:>6.2f}x"
            f"{first[path] * 1000:>10.1f}"
        )
    print(f"worst steady ratio: {worst:.2f}x (target: at most 3x)")
    print(f"slowest first parse: {slowest * 1000:.0f} ms (target: well under a second)")


if __name__ == "__main__":
    main()
