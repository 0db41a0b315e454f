"""The translator on the question set: at least 90 % exactly right and no wrong answer given
with confidence, on the questions it was tuned on and on the held-out ones it was not."""

from __future__ import annotations

import pytest

from insights.questions.evaluation import evaluate, load_question_set
from insights.questions.translator import OfflineTranslator

CONTEXT, PARTS = load_question_set()


def test_the_question_set_is_big_and_varied_enough() -> None:
    cases = PARTS["tuning"] + PARTS["held_out"]
    assert len(cases) >= 80
    expected = [c.expected for c in cases]
    assert sum(e == "refused" for e in expected) >= 6
    assert sum(e == "not_understood" for e in expected) >= 6


@pytest.mark.parametrize("part", ["tuning", "held_out", "held_out_2"])
def test_accuracy(part: str) -> None:
    result = evaluate(OfflineTranslator(), CONTEXT, PARTS[part])
    assert result.confident_wrong == []
    assert result.accuracy >= 0.9, (result.unsure, result.misses)
