"""Automated insights on generated activity: recall on planted anomalies and the false-positive
rate on clean series (goal: recall at least 0.9, false positives at most 5 %).

    .venv/bin/python bench/insights_detection.py [--seeds 10]

Each seed generates a tenant's history (14 weeks of runs, invocations, deployments and API
calls with realistic noise) with anomalies planted in its last 4 weeks, and a clean history;
the detectors run at each of those weeks' ends. No service or database is needed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from insights.detection import synthetic
from insights.detection.evaluation import Evaluation, evaluate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    result = Evaluation()
    started = time.perf_counter()
    for seed in range(args.seeds):
        evaluate([synthetic.generate(seed)], result)
        evaluate([synthetic.generate(10_000 + seed, plant=False)], result)
    seconds = time.perf_counter() - started
    print(f"{args.seeds} planted and {args.seeds} clean histories in {seconds:.1f} s")
    print(f"  recall on planted anomalies: {result.found}/{result.planted} = {result.recall:.1%}")
    print("    (goal >= 90 %)")
    for kind, (found, planted) in sorted(result.per_kind.items()):
        print(f"    {kind:<22} {found}/{planted}")
    print(
        f"  false positives on clean series: {len(result.false_positives)}/{result.clean_cells}"
        f" cells = {result.false_positive_rate:.2%} (goal <= 5 %)"
    )
    print(
        f"  side effects on planted subjects (e.g. a longer run also costs more): "
        f"{len(result.side_effects)}"
    )
    for missed in result.missed:
        print(f"    missed: {missed.kind} {missed.subject} week ending {missed.week_end:%d %b}")
    for insight in result.false_positives:
        print(f"    false positive: {insight.sentence}")


if __name__ == "__main__":
    main()
