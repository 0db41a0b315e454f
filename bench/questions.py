"""The offline question translator on its question set: exact-match accuracy, wrong answers
given with confidence (goal 0), unsure answers, and time per question (goal: p95 under 50 ms).

    .venv/bin/python bench/questions.py [question_set.yaml]

The set is insights/questions/question_set.yaml (a part the translator was tuned on and a
held-out part it never was) or any file in its format, such as questions it has never seen.
Each question is translated ROUNDS times for the timings; no service or database is needed.
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from insights.questions.evaluation import QUESTION_SET, Case, evaluate, load_question_set
from insights.questions.interpretation import QuestionContext
from insights.questions.translator import OfflineTranslator

ROUNDS = 20
MANY_NAMES = 2_500


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else QUESTION_SET
    context, parts = load_question_set(path)
    translator = OfflineTranslator()
    evaluate(
        translator, context, next(iter(parts.values()))
    )  # warm the caches of regexes and matchers
    for part, cases in parts.items():
        result = evaluate(translator, context, cases)
        timings = [
            seconds
            for _ in range(ROUNDS - 1)
            for seconds in evaluate(translator, context, cases).seconds
        ] + result.seconds
        p50 = statistics.median(timings) * 1000
        p95 = percentile(timings, 0.95) * 1000
        print(f"{part}: {result.total} questions")
        print(f"  exactly right:            {result.exact}/{result.total} = {result.accuracy:.1%}")
        print(f"  wrong with confidence:    {len(result.confident_wrong)} (goal 0)")
        print(f"  unsure (said so):         {len(result.unsure)}")
        print(f"  other misses:             {len(result.misses)}")
        print(f"  time per question:        p50 {p50:.2f} ms, p95 {p95:.2f} ms (goal p95 < 50 ms)")
        print(f"  ratio goal / p95:         {50 / p95:.0f}x")
        for note in result.confident_wrong + result.unsure + result.misses:
            print(f"    {note}")
    with_many_names(context, next(iter(parts.values())))


def many_names(context: QuestionContext, count: int) -> QuestionContext:
    """The same tenant with ``count`` more workflows, endpoints and models besides its own."""
    names = {dimension: list(values) for dimension, values in context.names.items()}
    for number in range(count):
        kind = ("workflow", "endpoint", "model")[number % 3]
        names.setdefault(kind, []).append(f"{kind}-{number}-nightly batch")
    return replace(context, names=names)


def with_many_names(context: QuestionContext, cases: list[Case]) -> None:
    """A large tenant: time and accuracy when the translator matches against 2,500 names."""
    crowded = many_names(context, MANY_NAMES)
    translator = OfflineTranslator()
    evaluate(translator, crowded, cases[:1])  # the tagger for these names is built once
    timings: list[float] = []
    result = evaluate(translator, crowded, cases)
    for _ in range(ROUNDS // 4):
        timings += evaluate(translator, crowded, cases).seconds
    p50 = statistics.median(timings) * 1000
    p95 = percentile(timings, 0.95) * 1000
    print(f"tuning part with {MANY_NAMES:,} more names known:")
    print(f"  exactly right:            {result.exact}/{result.total} = {result.accuracy:.1%}")
    print(f"  wrong with confidence:    {len(result.confident_wrong)} (goal 0)")
    print(f"  time per question:        p50 {p50:.2f} ms, p95 {p95:.2f} ms (goal p95 < 50 ms)")


if __name__ == "__main__":
    main()
