"""The translator measured on the question set (``question_set.yaml``): exact matches, wrong
answers given with confidence, unsure answers, and time per question."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from insights.questions.interpretation import QuestionContext, Translation, Translator
from insights.questions.query import Query

QUESTION_SET = Path(__file__).with_name("question_set.yaml")
OUTCOMES = ("not_understood", "refused")


@dataclass(frozen=True)
class Case:
    """A question and what it should become: a Query, ``not_understood`` or ``refused``."""

    question: str
    expected: Query | str


@dataclass
class Result:
    """How the translator did on one part of the set."""

    exact: int = 0
    confident_wrong: list[str] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.seconds)

    @property
    def accuracy(self) -> float:
        return self.exact / self.total if self.total else 0.0


def load_question_set(path: Path = QUESTION_SET) -> tuple[QuestionContext, dict[str, list[Case]]]:
    """The set's context (tenant, now, known names) and its parts: every other top-level list
    (``tuning`` and ``held_out`` here; a set of new questions may have any part names)."""
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    raw = data["context"]
    context = QuestionContext(
        tenant=raw["tenant"],
        now=datetime.fromisoformat(raw["now"]),
        names=raw["names"],
        other_tenants=raw["other_tenants"],
    )
    parts = {
        part: [
            Case(
                question=item["q"],
                expected=item["expect"]
                if item["expect"] in OUTCOMES
                else Query.model_validate(item["expect"]),
            )
            for item in data[part]
        ]
        for part in data
        if part != "context"
    }
    return context, parts


def judge(case: Case, translation: Translation) -> str:
    """``exact``, ``confident_wrong`` (an answer that is not the expected one), ``unsure``
    (not understood where a query was expected) or ``miss`` (refused or answered wrongly without
    giving an answer)."""
    if translation.status == "understood":
        reading = translation.interpretation
        if (
            isinstance(case.expected, Query)
            and reading
            and reading.query.key() == case.expected.key()
        ):
            return "exact"
        return "confident_wrong"
    if translation.status == case.expected:
        return "exact"
    if translation.status == "not_understood" and isinstance(case.expected, Query):
        return "unsure"
    return "miss"


def evaluate(translator: Translator, context: QuestionContext, cases: list[Case]) -> Result:
    result = Result()
    for case in cases:
        start = time.perf_counter()
        translation = translator.translate(case.question, context)
        result.seconds.append(time.perf_counter() - start)
        verdict = judge(case, translation)
        if verdict == "exact":
            result.exact += 1
            continue
        shown = translation.interpretation.text if translation.interpretation else ""
        note = f"{case.question!r} -> {translation.status} {shown}".rstrip()
        {"confident_wrong": result.confident_wrong, "unsure": result.unsure}.get(
            verdict, result.misses
        ).append(note)
    return result
