"""Questions in plain English about the caller's tenant: the translator reads the question
against the tenant's own names, and only an understood question is run, on the tenant's own
read model. A question it did not understand gets the nearest readings and no numbers; one
about another tenant is refused.

A reading can also be sent back as it came (``query``): a person who picks one of the nearest
readings asks exactly that, not words the translator would have to read again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from insights import values
from insights.api.deps import CallerDep, ReadModelDep, SessionDep, SettingsDep
from insights.api.errors import errors
from insights.errors import Unavailable
from insights.questions.answer import Answer, answer_query, answer_question
from insights.questions.bedrock import translator_for
from insights.questions.interpretation import Translator
from insights.questions.names import known_names
from insights.questions.query import Query
from insights.questions.rendering import Chart
from insights.questions.translator import Interpretation, QuestionContext

router = APIRouter(tags=["questions"], responses=errors(401, 422))

# Activity kinds whose folders name tenants (``<kind>/tenant=<name>/``).
_TENANT_FOLDER = "tenant="


class QuestionIn(BaseModel):
    """A question in words, or one of the readings an earlier answer offered."""

    model_config = ConfigDict(extra="forbid")

    question: str | None = Field(default=None, min_length=1, max_length=500)
    query: Query | None = Field(
        default=None, description="A reading from an earlier answer's `alternatives`, as given"
    )

    @model_validator(mode="after")
    def _one_of(self) -> QuestionIn:
        if (self.question is None) == (self.query is None):
            raise ValueError("give either question (words) or query (a reading), not both")
        return self


class ReadingOut(BaseModel):
    text: str = Field(description="The reading in words")
    confidence: float
    chart: Chart
    query: Query = Field(description="Send it back as `query` to ask exactly this")


class QuestionOut(BaseModel):
    question: str
    status: Literal["understood", "not_understood", "refused"]
    message: str = Field(description="What was understood, or why there are no numbers")
    interpretation: ReadingOut | None = Field(description="The reading that was run")
    confidence: float | None
    chart: Chart | None = Field(description="The suggested chart for the numbers")
    sql: str | None = Field(description="The DuckDB statement run (tenant and values bound)")
    columns: list[str]
    rows: list[list[Any]] = Field(description="Empty unless understood")
    alternatives: list[ReadingOut] = Field(description="Nearest readings, when not understood")


def _reading(interpretation: Interpretation) -> ReadingOut:
    return ReadingOut(
        text=interpretation.text,
        confidence=interpretation.confidence,
        chart=interpretation.chart,
        query=interpretation.query,
    )


def _out(answer: Answer) -> QuestionOut:
    reading = answer.interpretation
    return QuestionOut(
        question=answer.question or answer.message,
        status=answer.status,
        message=answer.message,
        interpretation=_reading(reading) if reading else None,
        confidence=reading.confidence if reading else None,
        chart=reading.chart if reading else None,
        sql=answer.sql,
        columns=answer.columns,
        rows=answer.rows,
        alternatives=[_reading(a) for a in answer.alternatives],
    )


def activity_tenants(activity_uri: str) -> list[str]:
    """Tenants with activity folders, so a question naming one is refused as such rather than
    read as a word the translator does not know."""
    from pyarrow import fs

    filesystem, root = fs.FileSystem.from_uri(
        activity_uri if "://" in activity_uri else f"file://{activity_uri}"
    )
    names: set[str] = set()
    for kind in filesystem.get_file_info(fs.FileSelector(root, allow_not_found=True)):
        if kind.type != fs.FileType.Directory:
            continue
        for folder in filesystem.get_file_info(fs.FileSelector(kind.path, allow_not_found=True)):
            if folder.base_name.startswith(_TENANT_FOLDER):
                names.add(folder.base_name.removeprefix(_TENANT_FOLDER))
    return sorted(names)


def get_translator(request: Request) -> Translator:
    """The translator the settings choose, made once per app (a Bedrock client is reused)."""
    state = request.app.state
    if getattr(state, "translator", None) is None:
        try:
            state.translator = translator_for(state.settings)
        except ValueError as exc:
            raise Unavailable(f"the question translator is not configured: {exc}") from exc
    return state.translator


TranslatorDep = Annotated[Translator, Depends(get_translator)]


@router.post(
    "/questions",
    response_model=QuestionOut,
    summary="Ask a question in plain English (or re-ask one of the offered readings)",
    responses=errors(503),
)
def ask(
    body: QuestionIn,
    caller: CallerDep,
    session: SessionDep,
    read_model: ReadModelDep,
    settings: SettingsDep,
    translator: TranslatorDep,
) -> QuestionOut:
    tenant_values = values.tenant_values(session, caller.tenant)
    try:
        others = [t for t in activity_tenants(settings.activity_uri) if t != caller.tenant]
        with read_model.connect(caller.tenant, tenant_values) as db:
            if body.query is not None:
                return _out(answer_query(db, body.query, caller.tenant))
            context = QuestionContext(
                tenant=caller.tenant,
                now=datetime.now(UTC),
                names=known_names(db, caller.tenant),
                other_tenants=others,
            )
            return _out(answer_question(db, body.question or "", context, translator))
    except OSError as exc:
        raise Unavailable(f"the activity in the lake cannot be read: {exc}") from exc
