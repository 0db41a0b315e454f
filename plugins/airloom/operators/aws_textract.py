"""The ``textract`` node: text, form fields and tables out of documents in S3."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, field_validator

from airloom.aws_ai.node import AwsAiOperator, AwsAiParams

# Published default quotas (transactions per second, US East (N. Virginia)); sources in
# docs/aws_ai_nodes.md. Each operation is paced on its own.
TPS = {
    "AnalyzeDocument": 10,
    "DetectDocumentText": 10,
    "StartDocumentAnalysis": 10,
    "StartDocumentTextDetection": 15,
    "GetDocumentAnalysis": 10,
    "GetDocumentTextDetection": 25,
}
MAX_RESULTS = 1000  # blocks per result page of an asynchronous job (Textract's maximum)
# What the deferred task resumes with (each row's job or refusal, the Start calls' counts), in
# its XCom: the trigger's event carries only the job ids.
JOBS_KEY = "textract_jobs"


class TextractParams(AwsAiParams):
    document_column: str = Field(
        min_length=1,
        description="Input column holding each row's document: an s3://bucket/key reference "
        "under an S3 location granted to the tenant (PDF, TIFF, PNG or JPEG).",
    )
    features: list[Literal["TABLES", "FORMS"]] = Field(
        default_factory=list,
        description="What to extract besides the text: TABLES (each table's cells), FORMS "
        "(key → value fields). None: text only, the cheapest.",
    )
    mode: Literal["async", "sync"] = Field(
        default="async",
        description="async: one Textract job per document, for multi-page PDFs and TIFFs (the "
        "node waits without holding a worker); sync: single-page images answered at once.",
    )
    max_concurrent_jobs: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="async: most jobs running at once; more documents are started in waves, "
        "each once the previous has ended. Keep it within the account's quota of concurrent "
        "Textract jobs.",
    )
    waiter_delay: int = Field(
        default=10, ge=1, le=300, description="async: seconds between two checks of a job."
    )
    waiter_max_attempts: int = Field(
        default=360,
        ge=1,
        le=8640,
        description="async: checks of one job before the node gives up waiting for it.",
    )

    @field_validator("features")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("name each feature once")
        return value


class TextractOperator(AwsAiOperator):
    """Extract text, forms and tables from the documents a table names, with Amazon Textract.

    Every row keeps its place: a row whose reference is empty, malformed or outside the
    tenant's granted S3 locations is refused before any call (``NOT_GRANTED`` …); a missing or
    unsupported document, or a job that failed, is that row's error. In ``async`` mode the node
    starts one job per document, defers to :class:`~airloom.aws_ai.textract.
    TextractJobsEndedTrigger` until all have ended, then reads every result page.

    Output columns: ``text`` (lines joined by newlines, pages by form feeds), ``pages``,
    ``forms`` (list of ``{key, value}``), ``tables`` (list of tables, each a list of rows of
    cell strings), ``error``.
    """

    node_type = "textract"
    description = (
        "Reads scanned documents, PDFs and images stored in S3 with Amazon Textract: the text "
        "of every page and, when asked, the form fields (key and value) and tables (rows and "
        "cells) they hold. Each input row names one document; the output keeps every row, "
        "with what was read or why the document could not be read."
    )
    params_model = TextractParams

    def run(
        self, params: TextractParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.aws_ai.objects import object_problem
        from airloom.aws_ai.rows import RowError

        table = self.read_rows(inputs, params.document_column)
        references = table.column(params.document_column).to_pylist()

        def skip(uri: Any) -> RowError | None:
            return object_problem(uri, self.tenant_scope)

        if params.mode == "sync":
            return self._run_sync(params, context, table, references, skip)
        rows = []
        for uri in references:
            problem = skip(uri)
            rows.append({"pending": uri} if problem is None else _refusal(problem))
        return self._start_wave(params, context, rows, {"requests": 0, "retries": 0})

    def _start_wave(
        self,
        params: TextractParams,
        context: Context,
        rows: list[dict[str, Any]],
        counts: dict[str, int],
    ) -> dict[str, Any]:
        """Start jobs for the next ``max_concurrent_jobs`` documents and defer until they end;
        once no document is left, read every job's results (Textract keeps them for 7 days)."""
        from airloom.aws_ai.rows import call_in_batches

        while True:
            pending = [i for i, row in enumerate(rows) if "pending" in row]
            if not pending:
                return self._finish_jobs(params, context, rows, counts)
            wave = pending[: params.max_concurrent_jobs]
            usage = _usages(params.features)
            operation = "StartDocumentAnalysis" if params.features else "StartDocumentTextDetection"
            start = _Starter(self._client(params), params.features, usage, operation)
            started = call_in_batches([rows[i]["pending"] for i in wave], 1, start)
            for position, outcome in zip(wave, started, strict=True):
                rows[position] = outcome if isinstance(outcome, dict) else _refusal(outcome)
            counts = {
                "requests": counts["requests"] + usage[0].requests,
                "retries": counts["retries"] + usage[0].retries,
            }
            job_ids = [outcome["job_id"] for outcome in started if isinstance(outcome, dict)]
            if job_ids:
                break  # else every document of this wave was refused: start the next one
        context["ti"].xcom_push(key=JOBS_KEY, value={"rows": rows, "counts": counts})
        self.log.info(
            "Started %d Textract jobs (%d documents left); waiting in the triggerer",
            len(job_ids),
            len(pending) - len(wave),
        )
        from airloom.aws_ai.textract import TextractJobsEndedTrigger

        self.defer(
            trigger=TextractJobsEndedTrigger(
                job_ids=job_ids,
                analysis=bool(params.features),
                waiter_delay=params.waiter_delay,
                waiter_max_attempts=params.waiter_max_attempts,
                aws_conn_id=params.aws_conn_id,
                region_name=params.region_name,
            ),
            method_name="resume_after_textract_jobs",
            timeout=timedelta(
                seconds=params.waiter_delay * params.waiter_max_attempts * len(job_ids) + 60
            ),
        )

    def resume_after_textract_jobs(
        self, context: Context, event: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A wave of jobs has ended: start the next, or read all results and write the
        row-aligned output."""

        def step() -> dict[str, Any]:
            params = self.params_model.model_validate(self.node_params)
            if not event or event.get("status") != "success":
                message = (event or {}).get("message", "no event")
                raise RuntimeError(
                    f"node {self.task_id!r}: waiting for its Textract jobs failed: {message}"
                )
            ti = context["ti"]
            jobs = ti.xcom_pull(task_ids=self.task_id, key=JOBS_KEY, map_indexes=ti.map_index)
            jobs = jobs or {}
            counts = {"requests": 0, "retries": 0, **(jobs.get("counts") or {})}
            return self._start_wave(params, context, list(jobs.get("rows") or []), counts)

        return self.run_step(step, context)

    # -- the two modes' calls ----------------------------------------------------------------

    def _client(self, params: TextractParams) -> Any:
        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.textract import TextractHook

        return aws_client(
            "textract", params.aws_conn_id, region_name=params.region_name, hook_class=TextractHook
        )

    def _run_sync(
        self, params: TextractParams, context: Context, table: Any, references: list, skip: Any
    ) -> dict[str, Any]:
        from airloom.aws_ai.objects import S3Object
        from airloom.aws_ai.pacing import Pace
        from airloom.aws_ai.rows import aligned_table, call_in_batches
        from airloom.aws_ai.textract_blocks import extract

        client = self._client(params)
        usage = _usages(params.features)
        operation = "AnalyzeDocument" if params.features else "DetectDocumentText"
        pace = Pace(TPS[operation], f"textract.{operation}")

        def call(batch: list[Any]) -> list[dict[str, Any]]:
            found = S3Object.parse(str(batch[0]))
            document = {"S3Object": {"Bucket": found.bucket, "Name": found.key}}
            pace.wait()
            if params.features:
                response = client.analyze_document(
                    Document=document, FeatureTypes=list(params.features)
                )
            else:
                response = client.detect_document_text(Document=document)
            extracted = extract(
                response.get("Blocks", []), response.get("DocumentMetadata", {}).get("Pages")
            )
            for item in usage:
                item.called(extracted.pages, response)
            return [extracted.as_row()]

        outcomes = call_in_batches(references, 1, call, skip=skip)
        output = aligned_table(table, outcomes, output_columns())
        return self.finish(params, context, output, outcomes, usage)

    def _finish_jobs(
        self,
        params: TextractParams,
        context: Context,
        rows: list[dict[str, Any]],
        counts: Mapping[str, int],
    ) -> dict[str, Any]:
        from airloom.aws_ai.pacing import Pace
        from airloom.aws_ai.rows import RowError, aligned_table, call_in_batches

        table = self.read_rows(self.inputs, params.document_column)
        if len(rows) != table.num_rows:
            raise RuntimeError(
                f"node {self.task_id!r}: {len(rows)} jobs recorded for {table.num_rows} rows"
            )
        usage = _usages(params.features)
        for item in usage:  # the Start calls made before the node deferred
            item.requests += int(counts.get("requests", 0))
            item.retries += int(counts.get("retries", 0))
        operation = "GetDocumentAnalysis" if params.features else "GetDocumentTextDetection"
        fetch = _Fetcher(
            self._client(params), operation, usage, Pace(TPS[operation], f"textract.{operation}")
        )

        def refused(item: dict[str, Any]) -> RowError | None:
            return RowError(*item["error"]) if "error" in item else None

        outcomes = call_in_batches(rows, 1, fetch, skip=refused)
        output = aligned_table(table, outcomes, output_columns())
        return self.finish(params, context, output, outcomes, usage)


class _Starter:
    """Starts one asynchronous job for one document (a batch of one)."""

    def __init__(self, client: Any, features: list[str], usage: list[Any], operation: str):
        from airloom.aws_ai.pacing import Pace

        self.client, self.features, self.usage = client, features, usage
        self.pace = Pace(TPS[operation], f"textract.{operation}")

    def __call__(self, batch: list[Any]) -> list[dict[str, Any]]:
        from airloom.aws_ai.objects import S3Object

        found = S3Object.parse(str(batch[0]))
        location = {"S3Object": {"Bucket": found.bucket, "Name": found.key}}
        self.pace.wait()
        if self.features:
            response = self.client.start_document_analysis(
                DocumentLocation=location, FeatureTypes=list(self.features)
            )
        else:
            response = self.client.start_document_text_detection(DocumentLocation=location)
        for item in self.usage:
            item.called(0, response)  # pages are billed, and counted, when the job has read them
        return [{"job_id": response["JobId"]}]


class _Fetcher:
    """Reads every result page of one ended job (a batch of one)."""

    def __init__(self, client: Any, operation: str, usage: list[Any], pace: Any) -> None:
        self.get = getattr(
            client,
            "get_document_analysis"
            if operation == "GetDocumentAnalysis"
            else "get_document_text_detection",
        )
        self.usage, self.pace = usage, pace

    def __call__(self, batch: list[dict[str, Any]]) -> list[Any]:
        from airloom.aws_ai.rows import RowError
        from airloom.aws_ai.textract_blocks import extract

        job_id = batch[0]["job_id"]
        blocks: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            request: dict[str, Any] = {"JobId": job_id, "MaxResults": MAX_RESULTS}
            if token:
                request["NextToken"] = token
            self.pace.wait()
            response = self.get(**request)
            for item in self.usage:
                item.called(0, response)
            status = response.get("JobStatus")
            if status == "FAILED":
                return [RowError("JOB_FAILED", response.get("StatusMessage") or "job failed")]
            if status == "IN_PROGRESS":
                raise RuntimeError(f"Textract job {job_id} has not ended yet")
            blocks += response.get("Blocks") or []
            token = response.get("NextToken")
            if not token:
                break
        extracted = extract(blocks, response.get("DocumentMetadata", {}).get("Pages"))
        for item in self.usage:
            item.units += extracted.pages
        return [extracted.as_row()]


def _refusal(error: Any) -> dict[str, Any]:
    """A row's error as kept in XCom between waves."""
    return {"error": [error.code, error.message]}


def _usages(features: list[str]) -> list[Any]:
    """One priced operation per feature (Textract bills tables and forms per page each);
    plain text detection when there is none."""
    from airloom.aws_ai.usage import Usage

    if not features:
        return [Usage("textract", "detect_document_text", "page")]
    return [Usage("textract", f"analyze_document_{f.lower()}", "page") for f in features]


def output_columns() -> dict[str, Any]:
    import pyarrow as pa

    return {
        "text": pa.string(),
        "pages": pa.int64(),
        "forms": pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())])),
        "tables": pa.list_(pa.list_(pa.list_(pa.string()))),
    }
