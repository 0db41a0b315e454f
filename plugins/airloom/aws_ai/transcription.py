"""Amazon Transcribe batch jobs for a ``transcribe`` node: their names, the wait, the results.

- Job names are derived from the DAG run, the task and the row's audio reference, so a retried
  task meets the jobs its earlier try started (``ConflictException``) and reads them instead of
  paying for them twice; another run, or a changed row, gets jobs of its own.
- The wait happens in the triggerer: :class:`TranscriptionJobsEndedTrigger` is the Amazon
  provider's :class:`AwsBaseWaiterTrigger` with Airloom's custom waiter
  ``TranscriptionJobEnded`` (``waiters/transcribe.json``), which ends on ``COMPLETED`` *and*
  ``FAILED``: a failed job is one row's error, not the node's failure.
- A completed job's transcript JSON is read from the output location in S3.
"""

from __future__ import annotations

import hashlib
import json
import math
import posixpath
from collections.abc import AsyncIterator
from typing import Any

from airflow.providers.amazon.aws.triggers.base import AwsBaseWaiterTrigger
from airflow.triggers.base import TriggerEvent

from airloom.aws_ai.rows import RowError
from airloom.aws_ai.waiting import ServiceHook

WAITER = "TranscriptionJobEnded"

# Media formats Amazon Transcribe takes, by file extension.
MEDIA_FORMATS = {
    ".mp3": "mp3",
    ".mp4": "mp4",
    ".wav": "wav",
    ".flac": "flac",
    ".ogg": "ogg",
    ".amr": "amr",
    ".webm": "webm",
    ".m4a": "m4a",
}
BILLED_MINIMUM_SECONDS = 15  # Amazon Transcribe bills per second, 15 seconds at least per job


class TranscribeHook(ServiceHook):
    """The ``transcribe`` client of an AWS connection, with Airloom's Transcribe waiters."""

    client_type_name = "transcribe"
    waiters_file = "transcribe.json"


class TranscriptionJobsEndedTrigger(AwsBaseWaiterTrigger):
    """Fires once every job in ``job_names`` has ended (completed or failed).

    :param job_names: the node's transcription jobs.
    :param waiter_delay: seconds between two polls of one job.
    :param waiter_max_attempts: polls of one job before the wait fails.
    """

    aws_hook_class = TranscribeHook

    def __init__(
        self,
        *,
        job_names: list[str],
        waiter_delay: int,
        waiter_max_attempts: int,
        aws_conn_id: str | None,
        region_name: str | None = None,
        verify: bool | str | None = None,
        botocore_config: dict | None = None,
    ) -> None:
        super().__init__(
            serialized_fields={"job_names": job_names},
            waiter_name=WAITER,
            waiter_args={"TranscriptionJobName": job_names[0]},
            failure_message="A transcription job could not be watched",
            status_message="Transcription job status",
            status_queries=["TranscriptionJob.TranscriptionJobStatus"],
            return_key="job_names",
            return_value=job_names,
            waiter_delay=waiter_delay,
            waiter_max_attempts=waiter_max_attempts,
            aws_conn_id=aws_conn_id,
            region_name=region_name,
            verify=verify,
            botocore_config=botocore_config,
        )
        self.job_names = job_names

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Wait for each job in turn: they run side by side, so the wait is the longest one."""
        from airflow.exceptions import AirflowException
        from airflow.providers.amazon.aws.utils.waiter_with_logging import async_wait

        hook = self.hook()
        async with await hook.get_async_conn() as client:
            waiter = hook.get_waiter(self.waiter_name, deferrable=True, client=client)
            for name in self.job_names:
                try:
                    await async_wait(
                        waiter,
                        self.waiter_delay,
                        self.attempts,
                        {"TranscriptionJobName": name},
                        f"{self.failure_message} ({name})",
                        self.status_message,
                        self.status_queries,
                    )
                except AirflowException as error:
                    yield self._event_from_exception(error)
                    return
        yield TriggerEvent({"status": "success", self.return_key: self.return_value})


def job_name(dag_id: str, run_id: str, task_id: str, map_index: int, row: int, uri: str) -> str:
    """The row's job name: the same for a retry of the same run, new for anything else."""
    digest = hashlib.sha256(
        json.dumps([dag_id, run_id, task_id, map_index, row, uri]).encode()
    ).hexdigest()[:32]
    return f"airloom-{digest}-{row + 1}"


def media_format_of(uri: str, given: str | None) -> str | RowError:
    """The media format to declare: the node's, else the one the file's extension names."""
    if given:
        return given
    extension = posixpath.splitext(uri.split("?", 1)[0])[1].lower()
    found = MEDIA_FORMATS.get(extension)
    if found is None:
        return RowError(
            "UNSUPPORTED_FORMAT",
            f"{uri}: no media format in its name ({extension or 'no extension'}); Amazon "
            f"Transcribe takes {', '.join(sorted(set(MEDIA_FORMATS.values())))}: set the "
            "node's media_format when the names carry none",
        )
    return found


def output_key(prefix: str, name: str) -> str:
    """Where a job writes its transcript under the output folder ``prefix``."""
    return f"{prefix}{name}.json"


def transcript_columns(document: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """The row's result from a transcript JSON and its job: text, language, duration."""
    results = document.get("results") or {}
    transcript = " ".join(
        str(part.get("transcript", "")) for part in results.get("transcripts") or []
    )
    ends = [
        float(part["end_time"])
        for part in [*(results.get("audio_segments") or []), *(results.get("items") or [])]
        if part.get("end_time") not in (None, "")
    ]
    return {
        "transcript": transcript,
        "language": job.get("LanguageCode") or results.get("language_code"),
        "duration_s": max(ends) if ends else None,
    }


def billed_seconds(duration: float | None) -> int:
    """Seconds Amazon Transcribe bills for one job: whole seconds, 15 at least (the minimum
    is billed when the transcript tells no duration)."""
    if duration is None:
        return BILLED_MINIMUM_SECONDS
    return max(BILLED_MINIMUM_SECONDS, math.ceil(duration))
