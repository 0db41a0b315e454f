"""Sentiment of N support texts: the comprehend node's batching against one call per row.

Both paths run against the same loopback Comprehend stand-in with the same simulated round
trip (``--latency-ms``), and each operation is paced to its own published default rate:
BatchDetectSentiment (25 texts a call) at 10 requests per second, the baseline DetectSentiment
(one text a call) at 20. Prints calls, seconds and rows per second for each, and the ratios
(goal: at least 10x fewer calls and 5x the throughput).

    .venv/bin/python bench/comprehend_batch.py [--rows 300] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.harness

import boto3

from airloom.aws_ai.clients import retry_config
from airloom.aws_ai.comprehend import (
    SINGLE_SENTIMENT,
    ComprehendRun,
    Document,
    analyse,
    detect,
)
from airloom.aws_ai.rows import RowError
from tests.harness.aws_stand_ins.server import REGION, aws_stand_in

PHRASES = (
    "Thanks, the agent was great and my issue is resolved.",
    "My package arrived broken and the refund is late.",
    "I would like to change the delivery address of my order.",
    "The app is slow but the support team was helpful.",
)


def support_texts(rows: int) -> list[str]:
    return [f"Ticket {i}: {PHRASES[i % len(PHRASES)]}" for i in range(rows)]


def client(url: str) -> object:
    return boto3.client(
        "comprehend",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=retry_config(),
    )


def batched(url: str, texts: list[str]) -> list:
    """The node's path: BatchDetectSentiment, 25 texts a call, paced at its rate."""
    return analyse(ComprehendRun(client(url)), texts, "en", ["sentiment"])


def one_call_per_row(url: str, texts: list[str]) -> list:
    """The baseline: DetectSentiment, one text a call, paced at its own rate."""
    documents = [Document(i, text, "en") for i, text in enumerate(texts)]
    return detect(ComprehendRun(client(url)), SINGLE_SENTIMENT, documents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=300, help="texts to analyse (≤ 5,000)")
    parser.add_argument("--latency-ms", type=float, default=50, help="simulated round trip")
    args = parser.parse_args()
    rows = max(1, min(args.rows, 5_000))  # bounded: the baseline runs at 20 rows a second
    texts = support_texts(rows)
    with aws_stand_in() as stand_in:
        stand_in.state["latency_s"] = args.latency_ms / 1000
        results = {}
        for label, path, operation in (
            ("one call per row (baseline)", one_call_per_row, "DetectSentiment"),
            ("batched, 25 per call", batched, "BatchDetectSentiment"),
        ):
            stand_in.reset()
            start = time.perf_counter()
            outcomes = path(stand_in.url, texts)
            took = time.perf_counter() - start
            failed = [outcome for outcome in outcomes if isinstance(outcome, RowError)]
            if failed or len(outcomes) != rows:
                raise SystemExit(f"{label}: {len(failed)} rows failed, e.g. {failed[:1]}")
            calls = stand_in.calls[operation]
            results[label] = (calls, took, [o["sentiment"] for o in outcomes])
            print(
                f"{label:30s} {calls:5d} calls  {took:7.2f} s  {rows / took:8.1f} rows/s "
                f"({args.latency_ms:.0f} ms round trip, {rows} rows)"
            )
    (base_calls, base_time, base_labels), (calls, took, labels) = results.values()
    if labels != base_labels:
        raise SystemExit("the two paths disagree on some row's sentiment")
    print(f"calls ratio: {base_calls / calls:.1f}x fewer calls with batching (goal >= 10x)")
    print(f"throughput ratio: {base_time / took:.1f}x the rows per second (goal >= 5x)")


if __name__ == "__main__":
    main()
