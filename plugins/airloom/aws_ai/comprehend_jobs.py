"""Amazon Comprehend's asynchronous jobs for a ``comprehend`` node with many rows.

- The rows Comprehend can take are written, one document per line, to the node's granted S3
  staging location (line breaks inside a text become spaces, so offsets stay true), with a
  plan saying which row each line is and why the others were refused.
- One ``Start*DetectionJob`` per analysis reads that file; the task then waits in the
  triggerer: :class:`ComprehendJobsEndedTrigger` is the Amazon provider's
  :class:`AwsBaseWaiterTrigger` with Airloom's waiters (``waiters/comprehend.json``), one per
  job kind; a job that fails or is stopped fails the node (it is no one row's fault).
- Each job's output (``output.tar.gz``, or ``.out`` files for PII) holds one JSON line per
  document: its result, or its error, by line number;
  :mod:`airloom.aws_ai.comprehend_job_output` aligns them back to rows. Once the node's table
  is written the staging folder is deleted: it holds the rows' texts, PII included.

Names derive from the DAG run, the task and its try, so a retry stages and starts afresh
while a rerun of the same try meets its own jobs again (``ClientRequestToken``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from airflow.providers.amazon.aws.hooks.comprehend import ComprehendHook
from airflow.providers.amazon.aws.triggers.base import AwsBaseWaiterTrigger
from airflow.triggers.base import TriggerEvent

from airloom.aws_ai.rows import RowError, RowOutcome
from airloom.aws_ai.waiting import AirloomWaiters

INPUT_FILE = "documents.txt"
PLAN_FILE = "plan.json"
# The published rate of each Start*DetectionJob operation (requests per second).
START_PER_SECOND = 1


@dataclass(frozen=True)
class JobKind:
    """How one analysis runs as a job: its operations, waiter and what its output holds."""

    analysis: str
    start: str  # boto3 method
    describe: str  # boto3 method
    properties: str  # the describe answer's key
    waiter: str  # in waiters/comprehend.json
    reader: str  # the sync operation whose per-document reader the output lines share
    needs_language: bool = True


KINDS = {
    "sentiment": JobKind(
        "sentiment",
        "start_sentiment_detection_job",
        "describe_sentiment_detection_job",
        "SentimentDetectionJobProperties",
        "SentimentDetectionJobEnded",
        "BatchDetectSentiment",
    ),
    "key_phrases": JobKind(
        "key_phrases",
        "start_key_phrases_detection_job",
        "describe_key_phrases_detection_job",
        "KeyPhrasesDetectionJobProperties",
        "KeyPhrasesDetectionJobEnded",
        "BatchDetectKeyPhrases",
    ),
    "entities": JobKind(
        "entities",
        "start_entities_detection_job",
        "describe_entities_detection_job",
        "EntitiesDetectionJobProperties",
        "EntitiesDetectionJobEnded",
        "BatchDetectEntities",
    ),
    "pii_entities": JobKind(
        "pii_entities",
        "start_pii_entities_detection_job",
        "describe_pii_entities_detection_job",
        "PiiEntitiesDetectionJobProperties",
        "PiiEntitiesDetectionJobEnded",
        "DetectPiiEntities",
    ),
    "language": JobKind(
        "language",
        "start_dominant_language_detection_job",
        "describe_dominant_language_detection_job",
        "DominantLanguageDetectionJobProperties",
        "DominantLanguageDetectionJobEnded",
        "BatchDetectDominantLanguage",
        needs_language=False,
    ),
}


class ComprehendJobsHook(AirloomWaiters, ComprehendHook):
    """The provider's Comprehend hook, with Airloom's waiters for every job kind."""

    waiters_file = "comprehend.json"


class ComprehendJobsEndedTrigger(AwsBaseWaiterTrigger):
    """Fires once every job in ``jobs`` (``[analysis, job id]`` pairs) has completed, or as
    soon as one fails.

    :param waiter_delay: seconds between two polls of one job.
    :param waiter_max_attempts: polls of one job before the wait fails.
    """

    aws_hook_class = ComprehendJobsHook

    def __init__(
        self,
        *,
        jobs: list[list[str]],
        waiter_delay: int,
        waiter_max_attempts: int,
        aws_conn_id: str | None,
        region_name: str | None = None,
        verify: bool | str | None = None,
        botocore_config: dict | None = None,
    ) -> None:
        analysis, job_id = jobs[0]
        super().__init__(
            serialized_fields={"jobs": jobs},
            waiter_name=KINDS[analysis].waiter,
            waiter_args={"JobId": job_id},
            failure_message="A Comprehend job did not complete",
            status_message="Comprehend job status",
            status_queries=[f"{KINDS[analysis].properties}.JobStatus"],
            return_key="jobs",
            return_value=jobs,
            waiter_delay=waiter_delay,
            waiter_max_attempts=waiter_max_attempts,
            aws_conn_id=aws_conn_id,
            region_name=region_name,
            verify=verify,
            botocore_config=botocore_config,
        )
        self.jobs = jobs

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Wait for each job in turn: they run side by side, so the wait is the longest one."""
        from airflow.exceptions import AirflowException
        from airflow.providers.amazon.aws.utils.waiter_with_logging import async_wait

        hook = self.hook()
        async with await hook.get_async_conn() as client:
            for analysis, job_id in self.jobs:
                kind = KINDS[analysis]
                waiter = hook.get_waiter(kind.waiter, deferrable=True, client=client)
                try:
                    await async_wait(
                        waiter,
                        self.waiter_delay,
                        self.attempts,
                        {"JobId": job_id},
                        f"{self.failure_message} ({analysis} job {job_id})",
                        self.status_message,
                        [f"{kind.properties}.JobStatus"],
                    )
                except AirflowException as error:
                    yield self._event_from_exception(error)
                    return
        yield TriggerEvent({"status": "success", self.return_key: self.return_value})


# -- staging ---------------------------------------------------------------------------------


def run_key(dag_id: str, run_id: str, task_id: str, map_index: int, try_number: int) -> str:
    """The task try's folder name under the staging location, and its jobs' token stem."""
    digest = hashlib.sha256(
        json.dumps([dag_id, run_id, task_id, map_index, try_number]).encode()
    ).hexdigest()
    return digest[:40]


def staging_folder(location: str, key: str) -> str:
    return f"{location.rstrip('/')}/airloom-comprehend/{key}"


def document_lines(texts: Sequence[str]) -> bytes:
    """One document per line: a line break inside a text becomes a space (offsets unchanged)."""
    table = str.maketrans({"\n": " ", "\r": " ", "\u2028": " ", "\u2029": " "})
    return "".join(text.translate(table) + "\n" for text in texts).encode("utf-8")


def start_request(
    kind: JobKind, folder: str, role_arn: str, language: str, key: str
) -> dict[str, Any]:
    """The ``Start*DetectionJob`` arguments of ``kind`` over the staged documents."""
    request: dict[str, Any] = {
        "InputDataConfig": {"S3Uri": f"{folder}/{INPUT_FILE}", "InputFormat": "ONE_DOC_PER_LINE"},
        "OutputDataConfig": {"S3Uri": f"{folder}/output/{kind.analysis}/"},
        "DataAccessRoleArn": role_arn,
        "JobName": f"airloom-{key[:20]}-{kind.analysis}",
        "ClientRequestToken": f"{key}-{kind.analysis.replace('_', '-')}"[:64],
    }
    if kind.needs_language:
        request["LanguageCode"] = language
    if kind.analysis == "pii_entities":
        request["Mode"] = "ONLY_OFFSETS"
    return request


# -- the node's steps --------------------------------------------------------------------------


@dataclass(frozen=True)
class Staged:
    """The rows sent to the jobs (line ``i`` of the input is row ``rows[i]``) and the rows
    refused before anything was sent, with their reason."""

    folder: str
    rows: list[int]
    refused: dict[int, RowError]
    total: int
    key: str

    @property
    def plan_uri(self) -> str:
        return f"{self.folder}/{PLAN_FILE}"

    def outcomes(self) -> list[RowOutcome]:
        """Every row's outcome before any result: its refusal, or an empty result."""
        return [self.refused.get(row, {}) for row in range(self.total)]


def s3_hook(params: Any) -> Any:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    return S3Hook(aws_conn_id=params.aws_conn_id, region_name=params.region_name)


def stage_documents(params: Any, texts: Sequence[Any], task_try: tuple[Any, ...]) -> Staged:
    """Refuse the rows no analysis can take (empty, over a limit), write the others one per
    line and the plan beside them in the staging location."""
    from airloom.aws_ai.comprehend import OPERATIONS, size_problem

    operations = [OPERATIONS[analysis] for analysis in params.analyses]
    refused: dict[int, RowError] = {}
    rows = []
    for row, text in enumerate(texts):
        problem = next(
            (found for found in (size_problem(text, op) for op in operations) if found), None
        )
        if problem is None:
            rows.append(row)
        else:
            refused[row] = problem
    key = run_key(*task_try)
    staged = Staged(staging_folder(params.staging_location, key), rows, refused, len(texts), key)
    if rows:
        s3 = s3_hook(params)
        s3.load_bytes(
            document_lines([texts[row] for row in rows]),
            key=f"{staged.folder}/{INPUT_FILE}",
            replace=True,
        )
        plan = {
            "rows": rows,
            "refused": [[row, error.code, error.message] for row, error in refused.items()],
            "total": len(texts),
            "units": sum(_units(texts[row]) for row in rows),
        }
        s3.load_string(json.dumps(plan), key=staged.plan_uri, replace=True)
    return staged


def _units(text: str) -> int:
    from airloom.aws_ai.usage import text_units

    return text_units(text)


def start_staged_jobs(params: Any, staged: Staged) -> list[list[str]]:
    """One ``Start*DetectionJob`` per analysis, paced to the operation's published rate;
    returns ``[analysis, job id]`` pairs."""
    from airloom.aws_ai.clients import aws_client
    from airloom.aws_ai.pacing import Pace

    client = aws_client(
        "comprehend", params.aws_conn_id, region_name=params.region_name, hook_class=ComprehendHook
    )
    pace = Pace(START_PER_SECOND, "comprehend.StartDetectionJob")
    jobs = []
    for analysis in params.analyses:
        kind = KINDS[analysis]
        pace.wait()
        request = start_request(
            kind, staged.folder, params.data_access_role_arn, params.language_code, staged.key
        )
        response = getattr(client, kind.start)(**request)
        jobs.append([analysis, response["JobId"]])
    return jobs


def discard_staging(params: Any, plan_uri: str) -> None:
    """Delete the staged texts, the plan and the jobs' outputs once the node has written its
    table: they hold the rows' texts (PII included) and nothing reads them again."""
    s3 = s3_hook(params)
    bucket, plan_key = s3.parse_s3_url(plan_uri)
    folder = plan_key.rsplit("/", 1)[0] + "/"
    keys = s3.list_keys(bucket_name=bucket, prefix=folder)
    if keys:
        s3.delete_objects(bucket=bucket, keys=keys)
