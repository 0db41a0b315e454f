"""What every translator takes and gives: who asks (QuestionContext), and an answer
(Translation) holding readings (Interpretation: the query, how sure, in words, its chart)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel

from insights.questions.query import Query
from insights.questions.rendering import Chart, describe_query, suggest_chart


@dataclass(frozen=True)
class QuestionContext:
    """Who asks and what they may name.

    :param tenant: the caller's tenant, from their sign-in; questions never choose it.
    :param now: "now" for relative dates (UTC).
    :param names: dimension → the caller tenant's known values (workflows, endpoints, …).
    :param other_tenants: other tenants' names, so a question naming one is refused as such.
    """

    tenant: str
    now: datetime
    names: Mapping[str, Collection[str]] = field(default_factory=dict)
    other_tenants: Collection[str] = ()


class Interpretation(BaseModel):
    """One reading of a question: the query, how sure, in words, and the chart to draw."""

    query: Query
    confidence: float
    text: str
    chart: Chart


class Translation(BaseModel):
    """The translator's answer: understood (one interpretation), not understood (the nearest
    interpretations, best first, none run), or refused (another tenant's data)."""

    status: Literal["understood", "not_understood", "refused"]
    interpretation: Interpretation | None = None
    alternatives: list[Interpretation] = []
    message: str = ""


class Translator(Protocol):
    """Anything that turns a question into a Translation (offline grammar, an LLM, …)."""

    def translate(self, question: str, context: QuestionContext) -> Translation: ...


def interpret(query: Query, confidence: float) -> Interpretation:
    return Interpretation(
        query=query,
        confidence=round(confidence, 3),
        text=describe_query(query),
        chart=suggest_chart(query),
    )
