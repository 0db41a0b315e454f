"""Amazon Transcribe (JSON protocol, target prefix ``Transcribe``): ``StartTranscriptionJob``
and ``GetTranscriptionJob``, as botocore's ``transcribe/2017-10-26`` model has them.

What it answers, as functions of the request and the media object in moto's S3:

- ``StartTranscriptionJob`` records the job ``IN_PROGRESS``. A name already used →
  ``ConflictException``; no ``LanguageCode`` and no ``IdentifyLanguage`` (or both), a media URI
  that is no ``s3://`` one, or no ``OutputBucketName`` (the stand-in has no service-managed
  bucket) → ``BadRequestException``.
- ``GetTranscriptionJob``: ``IN_PROGRESS`` on a job's first Get; on the next, the job ends.
  The media is read from moto (``StandIn.read_object``) and decoded with Python's ``wave``
  module: a WAV carrying :mod:`~tests.harness.aws_stand_ins.spoken_text`'s encoding (what the
  Polly stand-in's ``pcm`` output becomes once wrapped as WAV) is "heard" as its text →
  ``COMPLETED``, with the transcript JSON written to ``OutputBucketName``/``OutputKey``
  (``{"jobName", "accountId", "status", "results": {"transcripts": [{"transcript"}],
  "items", "audio_segments", "language_code"?}}``, times as strings of seconds, as the real
  service writes them). Anything else → ``FAILED`` with ``FailureReason`` "The media format
  could not be decoded"; a missing object → ``FAILED`` naming the S3 URI.
  With ``IdentifyLanguage`` the language is the one whose marker words (:data:`MARKERS`)
  occur most in the text, ``en-US`` by default.
- An unknown job → ``NotFoundException``.

Limits kept: job names ``[0-9a-zA-Z._-]{1,200}``; media of 500 ms at least (shorter →
``FAILED``, as Amazon Transcribe's minimum audio duration).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from tests.harness.aws_stand_ins import spoken_text
from tests.harness.aws_stand_ins.server import ACCOUNT, REGION, AwsError, StandIn

JOB_NAME = re.compile(r"[0-9a-zA-Z._-]{1,200}")
MIN_SECONDS = 0.5
UNDECODABLE = "The media format could not be decoded"
MARKERS = {
    "de-DE": {"der", "die", "das", "und", "ist", "nicht", "ich"},
    "fr-FR": {"le", "la", "les", "et", "est", "pas", "je"},
    "es-ES": {"el", "los", "y", "es", "no", "que", "yo"},
}


def _jobs(stand_in: StandIn) -> dict[str, dict[str, Any]]:
    return stand_in.state.setdefault("transcribe_jobs", {})


def start_transcription_job(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    name = str(body.get("TranscriptionJobName", ""))
    if not JOB_NAME.fullmatch(name):
        raise AwsError("BadRequestException", f"invalid TranscriptionJobName {name!r}")
    if bool(body.get("LanguageCode")) == bool(body.get("IdentifyLanguage")):
        raise AwsError(
            "BadRequestException",
            "Provide either LanguageCode or IdentifyLanguage (one of them, not both)",
        )
    uri = str(body.get("Media", {}).get("MediaFileUri", ""))
    if not uri.startswith("s3://") or "/" not in uri.removeprefix("s3://"):
        raise AwsError("BadRequestException", f"The URI {uri!r} is not a valid S3 URI")
    if not body.get("OutputBucketName"):
        raise AwsError("BadRequestException", "this stand-in needs an OutputBucketName")
    jobs = _jobs(stand_in)
    if name in jobs:
        raise AwsError(
            "ConflictException",
            "The requested job name already exists. Use a different job name.",
        )
    now = time.time()
    jobs[name] = {
        "TranscriptionJobName": name,
        "TranscriptionJobStatus": "IN_PROGRESS",
        "Media": {"MediaFileUri": uri},
        "CreationTime": now,
        "StartTime": now,
        "gets": 0,
        "request": body,
        **({"MediaFormat": body["MediaFormat"]} if body.get("MediaFormat") else {}),
        **({"LanguageCode": body["LanguageCode"]} if body.get("LanguageCode") else {}),
        **({"IdentifyLanguage": True} if body.get("IdentifyLanguage") else {}),
    }
    return {"TranscriptionJob": _public(jobs[name])}


def get_transcription_job(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    name = str(body.get("TranscriptionJobName", ""))
    job = _jobs(stand_in).get(name)
    if job is None:
        raise AwsError(
            "NotFoundException",
            "The requested job couldn't be found. Check the job name and try your request again.",
        )
    job["gets"] += 1
    if job["TranscriptionJobStatus"] == "IN_PROGRESS" and job["gets"] > 1:
        _finish(stand_in, job)
    return {"TranscriptionJob": _public(job)}


def _public(job: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in job.items() if key not in ("gets", "request")}


def _finish(stand_in: StandIn, job: dict[str, Any]) -> None:
    request = job["request"]
    bucket, _, key = job["Media"]["MediaFileUri"].removeprefix("s3://").partition("/")
    job["CompletionTime"] = time.time()
    try:
        data = stand_in.read_object(bucket, key, missing="BadRequestException")
        text, seconds = spoken_text.decode_wav(data)
    except AwsError:
        return _fail(
            job,
            f"The S3 URI that you provided can't be accessed: {job['Media']['MediaFileUri']}",
        )
    except spoken_text.Undecodable:
        return _fail(job, UNDECODABLE)
    if seconds < MIN_SECONDS:
        return _fail(job, f"The audio is shorter than the minimum of {MIN_SECONDS} s")
    language = request.get("LanguageCode") or identify(text)
    output = _output_key(request, job["TranscriptionJobName"])
    stand_in.s3().put_object(
        Bucket=request["OutputBucketName"],
        Key=output,
        Body=json.dumps(_transcript(job, text, seconds, language)).encode(),
        ContentType="application/json",
    )
    job["TranscriptionJobStatus"] = "COMPLETED"
    job["LanguageCode"] = language
    job["MediaSampleRateHertz"] = 16000
    job["Transcript"] = {
        "TranscriptFileUri": f"https://s3.{REGION}.amazonaws.com/"
        f"{request['OutputBucketName']}/{output}"
    }
    if request.get("IdentifyLanguage"):
        job["IdentifiedLanguageScore"] = 0.99


def _fail(job: dict[str, Any], reason: str) -> None:
    job["TranscriptionJobStatus"] = "FAILED"
    job["FailureReason"] = reason


def _output_key(request: dict[str, Any], name: str) -> str:
    """Where the transcript goes: ``OutputKey`` itself when it names a ``.json`` file, else a
    folder holding ``<job name>.json`` (as Amazon Transcribe documents ``OutputKey``)."""
    key = str(request.get("OutputKey") or "")
    if key.endswith(".json"):
        return key
    return f"{key.rstrip('/')}/{name}.json" if key else f"{name}.json"


def identify(text: str) -> str:
    words = re.findall(r"\w+", text.lower())
    counts = {code: sum(word in markers for word in words) for code, markers in MARKERS.items()}
    best = max(counts, key=lambda code: counts[code])
    return best if counts[best] > 0 else "en-US"


def _transcript(job: dict[str, Any], text: str, seconds: float, language: str) -> dict[str, Any]:
    items = []
    position = 0
    per_byte = 0.025
    for word in text.split():
        start = 0.05 + per_byte * len(text[:position].encode())
        position = text.index(word, position) + len(word)
        items.append(
            {
                "type": "pronunciation",
                "start_time": f"{start:.3f}",
                "end_time": f"{0.05 + per_byte * len(text[:position].encode()):.3f}",
                "alternatives": [{"confidence": "0.99", "content": word}],
            }
        )
    results: dict[str, Any] = {
        "transcripts": [{"transcript": text}],
        "items": items,
        "audio_segments": [
            {"id": 0, "transcript": text, "start_time": "0.000", "end_time": f"{seconds:.3f}"}
        ],
    }
    if job.get("IdentifyLanguage"):
        results["language_code"] = language
    return {
        "jobName": job["TranscriptionJobName"],
        "accountId": ACCOUNT,
        "status": "COMPLETED",
        "results": results,
    }


TARGETS = {
    "Transcribe.StartTranscriptionJob": start_transcription_job,
    "Transcribe.GetTranscriptionJob": get_transcription_job,
}
