"""The ``translate`` node: a text column into another language with Amazon Translate, row by
row."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, model_validator

from airloom.aws_ai.node import AwsAiOperator, AwsAiParams
from airloom.catalog.resources import S3LocationRef

SERVICE = "translate"
OPERATION = "TranslateText"
# TranslateText's published rate: 20 transactions per second per language pair (sources in
# docs/aws_ai_nodes.md, Amazon Translate); there is no batch API, so one text a call.
REQUESTS_PER_SECOND = 20
TEXT_BYTES = 10_000  # the most UTF-8 bytes one TranslateText request takes
_LANGUAGE = r"[a-z]{2,3}(-[A-Za-z]{2,4})?"
# The state of a deferred batch-mode task, in its XCom: its staging folder, job and refusals.
JOB_KEY = "translate_job"


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

    mode: Literal["sync", "batch"] = Field(
        default="sync",
        description="sync: one TranslateText call per row while the task runs; batch: one "
        "Translate batch job over the rows staged in staging_location, the task waiting "
        "without holding a worker (large inputs).",
    )
    staging_location: S3LocationRef | None = Field(
        default=None,
        description="batch: an s3:// folder under an S3 location granted to the tenant, where "
        "the texts are staged and the job writes its translations.",
    )
    data_access_role_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]+$",
        description="batch: the IAM role Amazon Translate assumes to read and write the "
        "staging location (an admin provides it).",
    )
    waiter_delay: int = Field(
        default=60, ge=1, le=3_600, description="batch: seconds between two polls of the job."
    )
    waiter_max_attempts: int = Field(
        default=240, ge=1, le=10_000, description="batch: polls of the job before giving up."
    )

    @model_validator(mode="after")
    def _two_languages(self) -> TranslateParams:
        if self.source_language == self.target_language:
            raise ValueError("target_language must differ from source_language")
        if self.mode == "batch":
            missing = [
                name
                for name in ("staging_location", "data_access_role_arn")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"batch mode needs {' and '.join(missing)}")
            if self.source_language == "auto":
                raise ValueError("batch mode translates from one language: set source_language")
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
        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.pacing import Pace
        from airloom.aws_ai.rows import call_in_batches
        from airloom.aws_ai.usage import Usage

        table = self.read_rows(inputs, params.text_column)
        texts = table.column(params.text_column).to_pylist()
        if params.mode == "batch":
            return self._start_job(params, table, context)
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
        return self._write(params, context, table, outcomes, [usage])

    def _write(
        self, params: TranslateParams, context: Context, table: Any, outcomes: Any, usage: Any
    ) -> dict[str, Any]:
        import pyarrow as pa

        from airloom.aws_ai.rows import aligned_table

        output = aligned_table(
            table, outcomes, {"translated_text": pa.string(), "source_language": pa.string()}
        )
        return self.finish(params, context, output, outcomes, usage)

    # -- batch: one Translate job, the wait in the triggerer ----------------------------------

    def _start_job(self, params: TranslateParams, table: Any, context: Context) -> Any:
        """Stage the rows Translate can take, start the job and defer until it ends."""
        from airloom.aws_ai.clients import MAX_ATTEMPTS
        from airloom.aws_ai.translate_jobs import TranslationJobEndedTrigger, stage_and_start

        texts = table.column(params.text_column).to_pylist()
        refused = {row: error for row, text in enumerate(texts) if (error := size_problem(text))}
        if len(refused) == len(texts):  # nothing to send: every row keeps its reason
            return self._write(
                params, context, table, [refused[row] for row in range(len(texts))], []
            )
        ti = context["ti"]
        task_try = (ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number)
        state = stage_and_start(params, texts, refused, task_try)
        ti.xcom_push(key=JOB_KEY, value=state)
        self.log.info("Translation job %s started; waiting in the triggerer", state["job_id"])
        self.defer(
            trigger=TranslationJobEndedTrigger(
                job_id=state["job_id"],
                waiter_delay=params.waiter_delay,
                waiter_max_attempts=params.waiter_max_attempts,
                aws_conn_id=params.aws_conn_id,
                region_name=params.region_name,
                botocore_config={"retries": {"mode": "adaptive", "max_attempts": MAX_ATTEMPTS}},
            ),
            method_name="resume_after_job",
            timeout=timedelta(seconds=params.waiter_delay * (params.waiter_max_attempts + 1) + 60),
        )

    def resume_after_job(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """The job has ended: each row's translation or error, written; or fail with what the
        wait reported."""

        def step() -> dict[str, Any]:
            from airloom.aws_ai.translate_jobs import discard_staging, row_outcomes
            from airloom.aws_ai.usage import Usage

            if not event or event.get("status") != "success":
                message = (event or {}).get("message", "no event")
                raise RuntimeError(
                    f"node {self.task_id!r}: the translation job did not complete: {message}"
                )
            params = self.params_model.model_validate(self.node_params)
            ti = context["ti"]
            state = ti.xcom_pull(task_ids=self.task_id, key=JOB_KEY, map_indexes=ti.map_index)
            table = self.read_rows(self.inputs, params.text_column)
            if table.num_rows != state["total"]:
                raise RuntimeError(
                    f"node {self.task_id!r}: the input has {table.num_rows} rows but "
                    f"{state['total']} were staged; run the node again"
                )
            outcomes = row_outcomes(params, state)
            texts = table.column(params.text_column).to_pylist()
            usage = Usage(SERVICE, "translate_text_batch", "character")
            usage.called(
                sum(len(t) for t, o in zip(texts, outcomes, strict=True) if isinstance(o, dict))
            )
            outputs = self._write(params, context, table, outcomes, [usage])
            discard_staging(params, state["folder"])  # the texts now live in the lake only
            return outputs

        return self.run_step(step, context)
