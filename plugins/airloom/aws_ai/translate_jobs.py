"""Amazon Translate batch jobs for a ``translate`` node in ``batch`` mode.

- Each row Translate can take becomes one ``text/plain`` document, ``<row>.txt``, under the
  node's granted S3 staging location; one ``StartTextTranslationJob`` translates the folder.
- The task waits in the triggerer: :class:`TranslationJobEndedTrigger` is the Amazon
  provider's :class:`AwsBaseWaiterTrigger` with Airloom's waiter
  (``waiters/translate.json``), which ends on ``COMPLETED`` and ``COMPLETED_WITH_ERROR`` (some
  documents failed: their rows' errors) and fails on ``FAILED`` or ``STOPPED``.
- The job writes ``<target>.<row>.txt`` per translated document and a details file naming each
  document's error; :func:`row_outcomes` turns them back into one outcome per row. The staging
  folder is deleted once the node's table is written (it holds the rows' texts).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from airflow.providers.amazon.aws.triggers.base import AwsBaseWaiterTrigger

from airloom.aws_ai.rows import RowError, RowOutcome
from airloom.aws_ai.waiting import ServiceHook

WAITER = "TextTranslationJobEnded"
START_PER_SECOND = 5  # StartTextTranslationJob's published rate (docs/aws_ai_nodes.md)
_DOCUMENT = re.compile(r"(?:^|/)(?P<target>[a-zA-Z-]+)\.(?P<row>\d+)\.txt$")


class TranslateJobsHook(ServiceHook):
    """The ``translate`` client of an AWS connection, with Airloom's Translate waiter."""

    client_type_name = "translate"
    waiters_file = "translate.json"


class TranslationJobEndedTrigger(AwsBaseWaiterTrigger):
    """Fires when the text translation job ``job_id`` has ended."""

    aws_hook_class = TranslateJobsHook

    def __init__(
        self,
        *,
        job_id: str,
        waiter_delay: int,
        waiter_max_attempts: int,
        aws_conn_id: str | None,
        region_name: str | None = None,
        verify: bool | str | None = None,
        botocore_config: dict | None = None,
    ) -> None:
        super().__init__(
            serialized_fields={"job_id": job_id},
            waiter_name=WAITER,
            waiter_args={"JobId": job_id},
            failure_message="The text translation job did not complete",
            status_message="Text translation job status",
            status_queries=["TextTranslationJobProperties.JobStatus"],
            return_key="job_id",
            return_value=job_id,
            waiter_delay=waiter_delay,
            waiter_max_attempts=waiter_max_attempts,
            aws_conn_id=aws_conn_id,
            region_name=region_name,
            verify=verify,
            botocore_config=botocore_config,
        )


def _s3(params: Any) -> Any:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    return S3Hook(aws_conn_id=params.aws_conn_id, region_name=params.region_name)


def job_folder(location: str, task_try: tuple[Any, ...]) -> tuple[str, str]:
    """The task try's staging folder and its job's client token."""
    key = hashlib.sha256(json.dumps(list(task_try)).encode()).hexdigest()[:40]
    return f"{location.rstrip('/')}/airloom-translate/{key}", key


def stage_and_start(
    params: Any, texts: list[Any], refused: dict[int, RowError], task_try: tuple[Any, ...]
) -> dict[str, Any]:
    """Write each row not refused as ``input/<row>.txt``, start the job; returns the state the
    resumed task needs (folder, job id, refused rows)."""
    from airloom.aws_ai.clients import aws_client
    from airloom.aws_ai.pacing import Pace

    folder, token = job_folder(params.staging_location, task_try)
    s3 = _s3(params)
    for row, text in enumerate(texts):
        if row not in refused:
            s3.load_string(text, key=f"{folder}/input/{row}.txt", replace=True)
    client = aws_client(
        "translate",
        params.aws_conn_id,
        region_name=params.region_name,
        hook_class=TranslateJobsHook,
    )
    Pace(START_PER_SECOND, "translate.StartTextTranslationJob").wait()
    response = client.start_text_translation_job(
        JobName=f"airloom-{token[:20]}",
        InputDataConfig={"S3Uri": f"{folder}/input/", "ContentType": "text/plain"},
        OutputDataConfig={"S3Uri": f"{folder}/output/"},
        DataAccessRoleArn=params.data_access_role_arn,
        SourceLanguageCode=params.source_language,
        TargetLanguageCodes=[params.target_language],
        ClientToken=token,
    )
    return {
        "folder": folder,
        "job_id": response["JobId"],
        "refused": [[row, error.code, error.message] for row, error in refused.items()],
        "total": len(texts),
    }


def row_outcomes(params: Any, state: dict[str, Any]) -> list[RowOutcome]:
    """Every row's outcome from the ended job: its translation, its document's error from the
    job's details, its refusal, or ``NO_RESULT`` when the job says nothing of it."""
    s3 = _s3(params)
    bucket, prefix = s3.parse_s3_url(f"{state['folder']}/output/")
    translated: dict[int, str] = {}
    errors: dict[int, RowError] = {}
    for key in s3.list_keys(bucket_name=bucket, prefix=prefix) or []:
        body = s3.get_key(key, bucket_name=bucket).get()["Body"].read().decode("utf-8")
        if key.endswith("auxiliary-translation-details.json"):
            errors.update(_document_errors(json.loads(body)))
            continue
        match = _DOCUMENT.search(key)
        if match and match["target"] == params.target_language:
            translated[int(match["row"])] = body
    outcomes: list[RowOutcome] = []
    refused = {row: RowError(code, message) for row, code, message in state["refused"]}
    for row in range(state["total"]):
        if row in refused:
            outcomes.append(refused[row])
        elif row in translated:
            outcomes.append(
                {"translated_text": translated[row], "source_language": params.source_language}
            )
        else:
            outcomes.append(
                errors.get(row, RowError("NO_RESULT", "the translation job has no output for it"))
            )
    return outcomes


def _document_errors(details: dict[str, Any]) -> dict[int, RowError]:
    found = {}
    for item in details.get("details", []):
        error = (item.get("auxiliaryData") or {}).get("error")
        match = re.fullmatch(r"(?:.*/)?(\d+)\.txt", str(item.get("sourceFile", "")))
        if error and match:
            found[int(match[1])] = RowError(
                str(error.get("errorCode", "ERROR")), str(error.get("errorMessage", ""))
            )
    return found


def discard_staging(params: Any, folder: str) -> None:
    """Delete the staged texts and the job's outputs once the table is written."""
    s3 = _s3(params)
    bucket, prefix = s3.parse_s3_url(f"{folder}/")
    keys = s3.list_keys(bucket_name=bucket, prefix=prefix)
    if keys:
        s3.delete_objects(bucket=bucket, keys=keys)
