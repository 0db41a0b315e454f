"""A question's whole answer, as the service returns it: the interpretation in words, the SQL,
the numbers and the suggested chart; or why there are no numbers (not understood, refused)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from insights.questions.compiler import compile_query
from insights.questions.interpretation import (
    Interpretation,
    QuestionContext,
    Translator,
    interpret,
)
from insights.questions.query import OtherTenantError, Query, QueryError
from insights.questions.translator import OfflineTranslator


class Answer(BaseModel):
    """What a person sees: numbers only for a question that was understood."""

    question: str
    status: Literal["understood", "not_understood", "refused"]
    message: str
    interpretation: Interpretation | None = None
    alternatives: list[Interpretation] = []
    sql: str | None = None
    columns: list[str] = []
    rows: list[list[Any]] = []


def answer_query(connection: Any, query: Query, tenant: str, question: str = "") -> Answer:
    """Run an already structured query for ``tenant`` (the caller's, never the query's); one
    the compiler will not run for this caller is answered with why, and no numbers."""
    try:
        compiled = compile_query(query, tenant)
    except QueryError as error:
        status = "refused" if isinstance(error, OtherTenantError) else "not_understood"
        return Answer(question=question, status=status, message=str(error))
    rows = connection.execute(compiled.sql, compiled.parameters).fetchall()
    reading = interpret(query, 1.0)
    return Answer(
        question=question,
        status="understood",
        message=reading.text,
        interpretation=reading,
        sql=compiled.sql,
        columns=list(compiled.columns),
        rows=[list(row) for row in rows],
    )


def answer_question(
    connection: Any,
    question: str,
    context: QuestionContext,
    translator: Translator | None = None,
) -> Answer:
    """Translate ``question`` for the caller in ``context`` and, if understood, run it."""
    translation = (translator or OfflineTranslator()).translate(question, context)
    if translation.status != "understood" or translation.interpretation is None:
        return Answer(
            question=question,
            status=translation.status,
            message=translation.message,
            alternatives=translation.alternatives,
        )
    query = translation.interpretation.query
    answer = answer_query(connection, query, context.tenant, question)
    if answer.status != "understood":
        return answer
    # The translation's message, which says who read the question when it was not the default.
    update = {"interpretation": translation.interpretation, "message": translation.message}
    return answer.model_copy(update=update)
