"""Validate and compile a 500-node design against a 5-node one: the cost should grow linearly.

Prints the time of each, the ratio (100 would be exactly linear for 100x the nodes) and the
cost per node.

    .venv/bin/python bench/workflow_compile.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _workflow_designs import design

from airloom.catalog import node_types
from airloom.tenancy import TenantScope
from airloom.workflow.compiler import compile_workflow
from airloom.workflow.validation import validate

SCOPE = TenantScope("bench")  # a tenant with no grants: what a new tenant gets


def seconds(document: dict, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        problems = validate(document, SCOPE)
        compile_workflow(document, workflow_id="bench", version=1, scope=SCOPE)
        times.append(time.perf_counter() - start)
        if problems:
            raise SystemExit(f"the benchmark design is invalid: {problems[:3]}")
    return statistics.median(times)


def main() -> None:
    node_types()  # load the catalog once, as a running builder has it
    small, large = design("small", 5), design("large", 500)
    seconds(small, 3)
    small_time, large_time = seconds(small, 50), seconds(large, 10)
    for label, took, nodes in (("5-node", small_time, 5), ("500-node", large_time, 500)):
        print(f"{label} design: {took * 1000:8.2f} ms ({took / nodes * 1e6:.0f} us per node)")
    print(f"ratio 500/5 nodes: {large_time / small_time:.1f}x for 100x the nodes (linear = 100x)")


if __name__ == "__main__":
    main()
