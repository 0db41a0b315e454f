"""``transcribe``: audio files in S3, named row by row, turned into text by Amazon Transcribe.

Each row's ``s3://`` reference is checked against the tenant's granted S3 locations before
anything is called (outside them: ``NOT_GRANTED``, never sent). One batch transcription job
per remaining row is started — at most ``max_concurrent_jobs`` at a time, paced to the
published ``StartTranscriptionJob`` rate — and the task defers until they have all ended
(:mod:`airloom.aws_ai.transcription`); the next wave starts, or the transcripts are read from
the granted output location. A job that failed keeps its ``FailureReason`` as its row's error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, model_validator

from airloom.aws_ai.node import AwsAiOperator, AwsAiParams
from airloom.catalog import Port, PortType
from airloom.catalog.resources import S3LocationRef

# The row-by-row plan of a deferred task, in its XCom: each row's job, or its error.
JOBS_KEY = "transcription_jobs"
# Published default quotas, transactions per second (docs/aws_ai_nodes.md).
START_PER_SECOND = 25
GET_PER_SECOND = 30


class TranscribeParams(AwsAiParams):
    audio_column: str = Field(
        min_length=1,
        description="Column holding each row's audio file as s3://bucket/key, under an S3 "
        "location granted to the tenant.",
    )
    language_code: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2,3}-[A-Z]{2,3}$",
        description="Language spoken, e.g. en-US; leave empty with identify_language on.",
    )
    identify_language: bool = Field(
        default=False, description="Let Amazon Transcribe identify each file's language."
    )
    media_format: Literal["mp3", "mp4", "wav", "flac", "ogg", "amr", "webm", "m4a"] | None = Field(
        default=None,
        description="Format of every file; when empty, read from each file's extension.",
    )
    output_location: S3LocationRef = Field(
        description="s3:// folder, under an S3 location granted to the tenant, where Amazon "
        "Transcribe writes the transcripts."
    )
    max_concurrent_jobs: int = Field(
        default=100,
        ge=1,
        le=250,
        description="Jobs running at once (the account's default quota is 250, shared by all "
        "its workflows); more rows run in further waves.",
    )
    waiter_delay: int = Field(
        default=30, ge=1, le=600, description="Seconds between two checks of a job."
    )
    waiter_max_attempts: int = Field(
        default=240, ge=1, description="Checks of one job before the node gives up."
    )

    @model_validator(mode="after")
    def _one_way_to_the_language(self) -> TranscribeParams:
        if bool(self.language_code) == self.identify_language:
            raise ValueError("give language_code, or turn identify_language on (not both)")
        return self


class TranscribeOperator(AwsAiOperator):
    """Transcribe the audio files a column names with Amazon Transcribe batch jobs (deferrable).

    Output: the input's rows with ``transcript``, ``language``, ``duration_s`` (seconds of
    speech, when the transcript tells) and ``error``.

    :param audio_column: column of ``s3://`` audio references (granted locations only).
    :param language_code: the language spoken; or ``identify_language``.
    :param media_format: the files' format; from each file's extension when empty.
    :param output_location: granted ``s3://`` folder for the transcript JSON files.
    :param max_concurrent_jobs: jobs running at once.
    :param waiter_delay: seconds between two checks of a job, in the triggerer.
    :param waiter_max_attempts: checks of one job before the node fails.
    """

    node_type = "transcribe"
    description = (
        "Turns recorded audio (calls, voice notes, meetings) stored in S3 into text with Amazon "
        "Transcribe. Each row names one audio file; the output keeps every row, adding its "
        "transcript, language and duration, or the reason it could not be transcribed (a file "
        "outside your tenant's granted S3 locations, an unreadable or unsupported file)."
    )
    params_model = TranscribeParams
    output_ports = (
        Port(
            "table",
            PortType.TABLE,
            "The input's rows with transcript, language, duration_s and an error column.",
        ),
    )

    def run(self, params: TranscribeParams, inputs: Mapping[str, Any], context: Context) -> Any:
        from airloom.aws_ai.objects import object_problem
        from airloom.aws_ai.rows import RowError
        from airloom.aws_ai.transcription import job_name, media_format_of
        from airloom.aws_ai.upstream import split_upstream_errors

        table, upstream = split_upstream_errors(self.read_rows(inputs, params.audio_column))
        ti = context["ti"]
        plan: list[dict[str, Any]] = []
        for row, uri in enumerate(table.column(params.audio_column).to_pylist()):
            problem = upstream[row] or object_problem(uri, self.tenant_scope)
            media = None if problem else media_format_of(str(uri).strip(), params.media_format)
            if isinstance(media, RowError):
                problem = media
            if problem is not None:
                plan.append({"error": [problem.code, problem.message]})
                continue
            uri = str(uri).strip()
            name = job_name(ti.dag_id, ti.run_id, ti.task_id, ti.map_index, row, uri)
            plan.append({"job": name, "uri": uri, "format": media, "started": False})
        return self._next_wave(params, {"rows": plan, "retries": 0}, context)

    def resume_after_jobs(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """A wave of jobs has ended: start the next one, or read every row's result."""

        def step() -> dict[str, Any]:
            if not event or event.get("status") != "success":
                message = (event or {}).get("message", "no event")
                raise RuntimeError(
                    f"node {self.task_id!r}: the transcription jobs did not all end in time "
                    f"(waiter_delay times waiter_max_attempts): {message}"
                )
            params = self.params_model.model_validate(self.node_params)
            ti = context["ti"]
            state = ti.xcom_pull(task_ids=self.task_id, key=JOBS_KEY, map_indexes=ti.map_index)
            return self._next_wave(params, state, context)

        return self.run_step(step, context)

    def _next_wave(self, params: TranscribeParams, state: dict[str, Any], context: Context) -> Any:
        """Start up to ``max_concurrent_jobs`` jobs and defer until they end; with none left to
        start, read the results."""
        from airloom.aws_ai.transcription import TranscriptionJobsEndedTrigger

        waiting = [entry for entry in state["rows"] if "job" in entry and not entry["started"]][
            : params.max_concurrent_jobs
        ]
        if not waiting:
            return self._results(params, state, context)
        started = self._start(params, waiting, state)
        context["ti"].xcom_push(key=JOBS_KEY, value=state)
        if not started:  # every job of the wave was refused: on to the next wave
            return self._next_wave(params, state, context)
        self.log.info("%d transcription jobs running; waiting in the triggerer", len(started))
        seconds = params.waiter_delay * (params.waiter_max_attempts + len(started)) + 60
        self.defer(
            trigger=TranscriptionJobsEndedTrigger(
                job_names=started,
                waiter_delay=params.waiter_delay,
                waiter_max_attempts=params.waiter_max_attempts,
                aws_conn_id=params.aws_conn_id,
                region_name=params.region_name,
                botocore_config={"retries": {"mode": "adaptive", "max_attempts": 8}},
            ),
            method_name="resume_after_jobs",
            timeout=timedelta(seconds=seconds),
        )

    def _start(
        self, params: TranscribeParams, wave: list[dict[str, Any]], state: dict[str, Any]
    ) -> list[str]:
        """Start each job of ``wave`` (a job of an earlier try is met again, not restarted);
        returns the jobs running. A request Amazon Transcribe refuses is its row's error."""
        from botocore.exceptions import ClientError

        from airloom.aws_ai.clients import aws_client, retries_of
        from airloom.aws_ai.objects import S3Object
        from airloom.aws_ai.pacing import Pace
        from airloom.aws_ai.rows import row_error_of
        from airloom.aws_ai.speech_files import folder_of
        from airloom.aws_ai.transcription import TranscribeHook, output_key

        client = aws_client(
            "transcribe",
            params.aws_conn_id,
            region_name=params.region_name,
            hook_class=TranscribeHook,
        )
        bucket, prefix = folder_of(params.output_location)
        pace = Pace(START_PER_SECOND, key="transcribe.StartTranscriptionJob")
        started = []
        for entry in wave:
            entry["started"] = True
            request = {
                "TranscriptionJobName": entry["job"],
                "Media": {"MediaFileUri": S3Object.parse(entry["uri"]).uri},
                "MediaFormat": entry["format"],
                "OutputBucketName": bucket,
                "OutputKey": output_key(prefix, entry["job"]),
            }
            if params.identify_language:
                request["IdentifyLanguage"] = True
            else:
                request["LanguageCode"] = params.language_code
            pace.wait()
            try:
                state["retries"] += retries_of(client.start_transcription_job(**request))
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                error = None if code == "ConflictException" else row_error_of(exc)
                if code != "ConflictException" and error is None:
                    raise
                if error is not None:
                    entry.pop("job")
                    entry["error"] = [error.code, error.message]
                    continue
                self.log.info("Transcription job %s exists: reading it", entry["job"])
            started.append(entry["job"])
        return started

    def _results(self, params: TranscribeParams, state: dict[str, Any], context: Context) -> Any:
        """Every row's outcome: its transcript, its job's failure, or its earlier error."""
        import json

        import pyarrow as pa
        from botocore.exceptions import ClientError

        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.pacing import Pace
        from airloom.aws_ai.rows import RowError, aligned_table, row_error_of
        from airloom.aws_ai.speech_files import folder_of
        from airloom.aws_ai.transcription import (
            TranscribeHook,
            billed_seconds,
            output_key,
            transcript_columns,
        )
        from airloom.aws_ai.upstream import split_upstream_errors
        from airloom.aws_ai.usage import Usage

        client = aws_client(
            "transcribe",
            params.aws_conn_id,
            region_name=params.region_name,
            hook_class=TranscribeHook,
        )
        s3 = self._s3(params)
        bucket, prefix = folder_of(params.output_location)
        pace = Pace(GET_PER_SECOND, key="transcribe.GetTranscriptionJob")
        usage = Usage("transcribe", "transcription_job", "second", retries=state["retries"])
        outcomes: list[Any] = []
        for entry in state["rows"]:
            if "job" not in entry:
                outcomes.append(RowError(*entry["error"]))
                continue
            pace.wait()
            job = client.get_transcription_job(TranscriptionJobName=entry["job"])
            job = job["TranscriptionJob"]
            status = job.get("TranscriptionJobStatus")
            if status == "FAILED":
                reason = job.get("FailureReason") or "the job failed without a reason"
                outcomes.append(RowError("TRANSCRIPTION_FAILED", reason))
                continue
            if status != "COMPLETED":
                raise RuntimeError(
                    f"node {self.task_id!r}: transcription job {entry['job']} is {status} "
                    "after the wait for it ended"
                )
            key = output_key(prefix, entry["job"])
            try:
                body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            except ClientError as exc:  # e.g. NoSuchKey: removed since; access denied fails
                error = row_error_of(exc)
                if error is None:
                    raise
                outcomes.append(RowError("TRANSCRIPT_UNREADABLE", f"s3://{bucket}/{key}: {error}"))
                continue
            columns = transcript_columns(json.loads(body), job)
            usage.called(billed_seconds(columns["duration_s"]))
            outcomes.append(columns)
        table, _ = split_upstream_errors(self.read_rows(self.inputs, params.audio_column))
        output = aligned_table(
            table,
            outcomes,
            {"transcript": pa.string(), "language": pa.string(), "duration_s": pa.float64()},
        )
        return self.finish(params, context, output, outcomes, [usage])

    @staticmethod
    def _s3(params: TranscribeParams) -> Any:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        return S3Hook(aws_conn_id=params.aws_conn_id, region_name=params.region_name).get_conn()
