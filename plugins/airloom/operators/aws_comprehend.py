"""The ``comprehend`` node: sentiment, key phrases, entities, PII and language of a text column,
with Amazon Comprehend, row by row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, model_validator

from airloom.aws_ai.comprehend import AUTO, LANGUAGES
from airloom.aws_ai.node import AwsAiOperator, AwsAiParams

Analysis = Literal["sentiment", "key_phrases", "entities", "pii_entities", "language"]
# Comprehend's languages, or "auto": one list (airloom.aws_ai.comprehend.LANGUAGES).
LanguageCode = Literal[(AUTO, *LANGUAGES)]  # type: ignore[valid-type]


class ComprehendParams(AwsAiParams):
    text_column: str = Field(
        min_length=1, description="Column of the input table holding the text to analyse."
    )
    language_code: LanguageCode = Field(
        default="en",
        description="Language of the texts; 'auto' detects each row's dominant language first "
        "and analyses the row in it (rows in a language an analysis does not support get an "
        "error).",
    )
    analyses: list[Analysis] = Field(
        min_length=1,
        description="What to find in each text: sentiment, key_phrases, entities, pii_entities "
        "(names, emails, phone and card numbers …), language.",
    )
    redact_pii: bool = Field(
        default=False,
        description="Also write <text_column>_redacted: the text with each PII span replaced "
        "by its type, e.g. [EMAIL]. Needs pii_entities among the analyses.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ComprehendParams:
        if len(set(self.analyses)) != len(self.analyses):
            raise ValueError("analyses: each analysis may be listed once")
        if self.redact_pii and "pii_entities" not in self.analyses:
            raise ValueError("redact_pii needs 'pii_entities' among the analyses")
        if "pii_entities" in self.analyses and self.language_code not in ("en", "es", AUTO):
            raise ValueError(
                f"pii_entities: Comprehend detects PII in English and Spanish only, not "
                f"{self.language_code!r}"
            )
        return self


def output_columns(params: ComprehendParams) -> dict[str, Any]:
    """The result columns the node adds (name → Arrow type), for its analyses."""
    import pyarrow as pa

    columns: dict[str, Any] = {}
    if params.language_code == AUTO or "language" in params.analyses:
        columns["language"] = pa.string()
    if "sentiment" in params.analyses:
        columns["sentiment"] = pa.string()
        for name in ("positive", "negative", "neutral", "mixed"):
            columns[f"sentiment_{name}"] = pa.float64()
    if "key_phrases" in params.analyses:
        columns["key_phrases"] = pa.list_(pa.string())
    if "entities" in params.analyses:
        columns["entities"] = pa.list_(
            pa.struct([("text", pa.string()), ("type", pa.string()), ("score", pa.float64())])
        )
    if "pii_entities" in params.analyses:
        columns["pii_entities"] = pa.list_(
            pa.struct(
                [
                    ("type", pa.string()),
                    ("begin_offset", pa.int64()),
                    ("end_offset", pa.int64()),
                    ("score", pa.float64()),
                ]
            )
        )
    if params.redact_pii:
        columns[f"{params.text_column}_redacted"] = pa.string()
    return columns


class ComprehendOperator(AwsAiOperator):
    """Amazon Comprehend's built-in analyses of one text column, written row by row.

    Sentiment, key phrases, entities and language go through Comprehend's batch APIs (25 texts
    a call, one language per call); PII through DetectPiiEntities, one text a call. Each
    operation is paced to its published default rate and throttling is retried with back-off.
    A row that is empty, too long for an analysis (5,000 bytes of UTF-8 in a batch, 100 KB for
    PII) or in a language the analysis does not support is never sent and gets its error; a
    text the service refuses keeps the service's error. The output holds every input row once,
    in order, with the results and an ``error`` column.

    :param text_column: the column to analyse.
    :param language_code: the texts' language, or ``auto`` to detect each row's.
    :param analyses: ``sentiment``, ``key_phrases``, ``entities``, ``pii_entities``,
        ``language``.
    :param redact_pii: also write ``<text_column>_redacted`` with PII replaced by ``[TYPE]``.
    """

    node_type = "comprehend"
    description = (
        "Finds the sentiment, key phrases, named entities (people, organisations, places, "
        "dates), personal information (names, emails, phone and card numbers) and language "
        "of a text column with Amazon Comprehend, and can write a copy of the text with the "
        "personal information masked. Every input row comes out once, in order, with its "
        "results; a row Comprehend cannot take (empty, too long, unsupported language) keeps "
        "its reason in the error column instead of failing the batch. Needs an AWS connection "
        "granted to the tenant."
    )
    params_model = ComprehendParams

    def run(
        self, params: ComprehendParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airflow.providers.amazon.aws.hooks.comprehend import ComprehendHook

        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.comprehend import ComprehendRun, analyse, redact
        from airloom.aws_ai.rows import aligned_table

        table = self.read_rows(inputs, params.text_column)
        texts = table.column(params.text_column).to_pylist()
        client = aws_client(
            "comprehend",
            params.aws_conn_id,
            region_name=params.region_name,
            hook_class=ComprehendHook,
        )
        calls = ComprehendRun(client)
        outcomes = analyse(calls, texts, params.language_code, params.analyses)
        if params.redact_pii:
            redacted = f"{params.text_column}_redacted"
            outcomes = [
                {**outcome, redacted: redact(text, outcome["pii_entities"])}
                if isinstance(outcome, dict)
                else outcome
                for text, outcome in zip(texts, outcomes, strict=True)
            ]
        output = aligned_table(table, outcomes, output_columns(params))
        return self.finish(params, context, output, outcomes, list(calls.usages.values()))
