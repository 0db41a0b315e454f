"""The ``translate`` node: a text column into another language with Amazon Translate, row by
row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow.sdk import Context
from pydantic import Field, model_validator

from airloom.aws_ai.node import AwsAiOperator, AwsAiParams

SERVICE = "translate"
OPERATION = "TranslateText"
# TranslateText's published rate: 20 transactions per second per language pair (sources in
# docs/aws_ai_nodes/translate.md); there is no batch API, so one text a call.
REQUESTS_PER_SECOND = 20
TEXT_BYTES = 10_000  # the most UTF-8 bytes one TranslateText request takes
_LANGUAGE = r"[a-z]{2,3}(-[A-Za-z]{2,4})?"


class TranslateParams(AwsAiParams):
    text_column: str = Field(
        min_length=1, description="Column of the input table holding the text to translate."
    )
    source_language: str = Field(
        default="auto",
        pattern=rf"^(auto|{_LANGUAGE})$",
        description="Language of the texts as a code such as 'en' or 'pt-PT', or 'auto' to "
        "let Amazon Translate detect each row's.",
    )
    target_language: str = Field(
        pattern=rf"^{_LANGUAGE}$",
        description="Language to translate into, e.g. 'es', 'fr', 'de', 'zh-TW'.",
    )

    @model_validator(mode="after")
    def _two_languages(self) -> TranslateParams:
        if self.source_language == self.target_language:
            raise ValueError("target_language must differ from source_language")
        return self


def size_problem(text: Any) -> Any:
    """Why a row's text cannot be sent: empty, not text, or over TranslateText's limit."""
    from airloom.aws_ai.rows import RowError

    if text is None or (isinstance(text, str) and not text.strip()):
        return RowError("EMPTY_TEXT", "the row has no text to translate")
    if not isinstance(text, str):
        return RowError("NOT_TEXT", f"the row holds a {type(text).__name__}, not text")
    size = len(text.encode("utf-8"))
    if size > TEXT_BYTES:
        return RowError(
            "TextSizeLimitExceededException",
            f"{size} bytes of UTF-8; {OPERATION} takes at most {TEXT_BYTES}",
        )
    return None


class TranslateOperator(AwsAiOperator):
    """Amazon Translate's ``TranslateText`` over one text column, one row a call.

    Requests are paced to TranslateText's published rate and throttling is retried with
    back-off. An empty text or one over 10,000 bytes of UTF-8 is never sent; a text the
    service refuses (an unsupported language pair, a source language it cannot detect with
    confidence) keeps the service's error. The output holds every input row once, in order,
    with ``translated_text``, the ``source_language`` used (the detected one for ``auto``) and
    an ``error`` column.

    :param text_column: the column to translate.
    :param source_language: the texts' language code, or ``auto``.
    :param target_language: the language code to translate into.
    """

    node_type = "translate"
    description = (
        "Translates a text column into another language with Amazon Translate, detecting "
        "each row's language when asked to. Every input row comes out once, in order, with "
        "its translation and the language it was translated from; a row that cannot be "
        "translated (empty, longer than 10,000 bytes, a language pair Translate does not "
        "support) keeps its reason in the error column instead of failing the batch. Needs "
        "an AWS connection granted to the tenant."
    )
    params_model = TranslateParams

    def run(
        self, params: TranslateParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        import pyarrow as pa

        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.pacing import Pace
        from airloom.aws_ai.rows import aligned_table, call_in_batches
        from airloom.aws_ai.usage import Usage

        table = self.read_rows(inputs, params.text_column)
        texts = table.column(params.text_column).to_pylist()
        client = aws_client(SERVICE, params.aws_conn_id, region_name=params.region_name)
        pace = Pace(REQUESTS_PER_SECOND, OPERATION)
        usage = Usage(SERVICE, "translate_text", "character")

        def translate(batch: list[str]) -> list[dict[str, Any]]:
            (text,) = batch
            pace.wait()
            response = client.translate_text(
                Text=text,
                SourceLanguageCode=params.source_language,
                TargetLanguageCode=params.target_language,
            )
            usage.called(len(text), response)
            return [
                {
                    "translated_text": response["TranslatedText"],
                    "source_language": response["SourceLanguageCode"],
                }
            ]

        outcomes = call_in_batches(texts, 1, translate, skip=size_problem)
        output = aligned_table(
            table, outcomes, {"translated_text": pa.string(), "source_language": pa.string()}
        )
        return self.finish(params, context, output, outcomes, [usage])
