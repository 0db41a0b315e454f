"""The ``comprehend`` node: sentiment, key phrases, entities, PII and language of a text column,
with Amazon Comprehend, row by row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, model_validator

from airloom.aws_ai.comprehend import AUTO, LANGUAGES
from airloom.aws_ai.node import AwsAiOperator, AwsAiParams
from airloom.catalog.resources import S3LocationRef

# The plan of a deferred task, in its XCom: where its staged plan lies and its jobs.
JOBS_KEY = "comprehend_jobs"

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

    mode: Literal["sync", "async"] = Field(
        default="sync",
        description="sync: Comprehend's batch APIs while the task runs (up to tens of "
        "thousands of rows); async: one Comprehend job per analysis over a file staged in "
        "staging_location, the task waiting without holding a worker (large datasets).",
    )
    staging_location: S3LocationRef | None = Field(
        default=None,
        description="async: an s3:// folder under an S3 location granted to the tenant, where "
        "the texts are staged and the jobs write their results.",
    )
    data_access_role_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]+$",
        description="async: the IAM role Comprehend assumes to read and write the staging "
        "location (an admin provides it).",
    )
    waiter_delay: int = Field(
        default=60, ge=1, le=3_600, description="async: seconds between two polls of a job."
    )
    waiter_max_attempts: int = Field(
        default=240, ge=1, le=10_000, description="async: polls of one job before giving up."
    )

    @model_validator(mode="after")
    def _consistent(self) -> ComprehendParams:
        if self.mode == "async":
            missing = [
                name
                for name in ("staging_location", "data_access_role_arn")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"async mode needs {' and '.join(missing)}")
            if self.language_code == AUTO:
                raise ValueError(
                    "async mode analyses the texts in one language: choose language_code"
                )
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
        from airloom.aws_ai.comprehend import ComprehendRun, analyse

        table = self.read_rows(inputs, params.text_column)
        texts = table.column(params.text_column).to_pylist()
        if params.mode == "async":
            return self._start_jobs(params, table, context)
        client = aws_client(
            "comprehend",
            params.aws_conn_id,
            region_name=params.region_name,
            hook_class=ComprehendHook,
        )
        calls = ComprehendRun(client)
        outcomes = analyse(calls, texts, params.language_code, params.analyses)
        return self._write(params, context, table, outcomes, list(calls.usages.values()))

    def _write(
        self,
        params: ComprehendParams,
        context: Context,
        table: Any,
        outcomes: Sequence[Any],
        usages: Sequence[Any],
    ) -> dict[str, Any]:
        """The output table (masked texts added when asked), written; the node's outputs."""
        from airloom.aws_ai.comprehend import redact
        from airloom.aws_ai.rows import aligned_table

        if params.redact_pii:
            texts = table.column(params.text_column).to_pylist()
            redacted = f"{params.text_column}_redacted"
            outcomes = [
                {**outcome, redacted: redact(text, outcome["pii_entities"])}
                if isinstance(outcome, dict)
                else outcome
                for text, outcome in zip(texts, outcomes, strict=True)
            ]
        output = aligned_table(table, outcomes, output_columns(params))
        return self.finish(params, context, output, outcomes, usages)

    # -- async: Comprehend jobs, the wait in the triggerer -----------------------------------

    def _start_jobs(self, params: ComprehendParams, table: Any, context: Context) -> Any:
        """Stage the rows Comprehend can take, start one job per analysis and defer."""
        import json

        from airloom.aws_ai.comprehend_jobs import (
            stage_documents,
            start_staged_jobs,
        )

        ti = context["ti"]
        texts = table.column(params.text_column).to_pylist()
        staged = stage_documents(
            params, texts, (ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number)
        )
        if not staged.rows:  # nothing to send: every row keeps its reason
            return self._write(params, context, table, staged.outcomes(), [])
        jobs = start_staged_jobs(params, staged)
        ti.xcom_push(key=JOBS_KEY, value={"plan": staged.plan_uri, "jobs": jobs})
        self.log.info("Comprehend jobs %s started; waiting in the triggerer", json.dumps(jobs))
        self._defer_until_ended(params, jobs)

    def _defer_until_ended(self, params: ComprehendParams, jobs: list[list[str]]) -> Any:
        from airloom.aws_ai.clients import MAX_ATTEMPTS
        from airloom.aws_ai.comprehend_jobs import ComprehendJobsEndedTrigger

        seconds = params.waiter_delay * (params.waiter_max_attempts + 1) * len(jobs) + 60
        self.defer(
            trigger=ComprehendJobsEndedTrigger(
                jobs=jobs,
                waiter_delay=params.waiter_delay,
                waiter_max_attempts=params.waiter_max_attempts,
                aws_conn_id=params.aws_conn_id,
                region_name=params.region_name,
                botocore_config={"retries": {"mode": "adaptive", "max_attempts": MAX_ATTEMPTS}},
            ),
            method_name="resume_after_jobs",
            timeout=timedelta(seconds=seconds),
        )

    def resume_after_jobs(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """The jobs have ended: align their results to the rows and write the output, or fail
        with what the wait reported."""

        def step() -> dict[str, Any]:
            from airloom.aws_ai.comprehend_job_output import job_outcomes
            from airloom.aws_ai.comprehend_jobs import discard_staging

            if not event or event.get("status") != "success":
                message = (event or {}).get("message", "no event")
                raise RuntimeError(
                    f"node {self.task_id!r}: the Comprehend jobs did not all complete: {message}"
                )
            params = self.params_model.model_validate(self.node_params)
            ti = context["ti"]
            state = ti.xcom_pull(task_ids=self.task_id, key=JOBS_KEY, map_indexes=ti.map_index)
            table = self.read_rows(self.inputs, params.text_column)
            outcomes, usages = job_outcomes(params, state["plan"], state["jobs"], table.num_rows)
            outputs = self._write(params, context, table, outcomes, usages)
            # The texts and results now live in the lake only: no copy of their PII stays.
            discard_staging(params, state["plan"])
            return outputs

        return self.run_step(step, context)
