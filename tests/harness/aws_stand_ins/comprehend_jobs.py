"""Amazon Comprehend's asynchronous jobs in the stand-in (registered by ``comprehend.py``).

``Start<Kind>DetectionJob`` reads its ``ONE_DOC_PER_LINE`` input from moto's S3, analyses each
line with the same functions as the synchronous operations, and writes the output where the
service does: ``<output>/<account>-<KIND>-<job id>/output/output.tar.gz`` (one ``output`` member
of JSON lines ``{"File", "Line", …result}``), or for PII ``…/output/<input file>.out``. A line
the synchronous operation would refuse becomes ``{"File", "Line", "ErrorCode",
"ErrorMessage"}``. ``Describe<Kind>DetectionJob`` answers ``IN_PROGRESS`` the first time a job
is described and ``COMPLETED`` after, so a waiter polls at least twice. A start repeated with
the same ``ClientRequestToken`` returns the same job. ``stand_in.state["fail_jobs"] = True``
makes every job end ``FAILED``.
"""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from typing import Any

from tests.harness.aws_stand_ins import comprehend as sync
from tests.harness.aws_stand_ins.server import ACCOUNT, AwsError, StandIn

# kind → (job type in output paths, properties key, per-line answer, languages or None)
KINDS: dict[str, tuple[str, str, Any, set[str] | None]] = {
    "Sentiment": (
        "SENTIMENT",
        "SentimentDetectionJobProperties",
        sync.sentiment_of,
        sync.LANGUAGES,
    ),
    "KeyPhrases": (
        "KP",
        "KeyPhrasesDetectionJobProperties",
        lambda text: {"KeyPhrases": sync.key_phrases_of(text)},
        sync.LANGUAGES,
    ),
    "Entities": (
        "NER",
        "EntitiesDetectionJobProperties",
        lambda text: {"Entities": sync.entities_of(text)},
        sync.LANGUAGES,
    ),
    "DominantLanguage": (
        "LANGUAGE",
        "DominantLanguageDetectionJobProperties",
        sync.dominant_language,
        None,
    ),
    "PiiEntities": (
        "PII",
        "PiiEntitiesDetectionJobProperties",
        lambda text: {"Entities": sync.pii_of(text)},
        sync.PII_LANGUAGES,
    ),
}


def _split(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def _analyse_lines(data: bytes, answer: Any, file_name: str) -> list[dict[str, Any]]:
    lines = []
    for number, text in enumerate(data.decode("utf-8").split("\n")[:-1]):
        try:
            result = answer(sync.check_text(text, sync.BATCH_TEXT_BYTES))
        except AwsError as error:
            result = error
        if isinstance(result, AwsError):
            lines.append(
                {"File": file_name, "Line": number, "ErrorCode": result.code,
                 "ErrorMessage": result.message}
            )  # fmt: skip
        else:
            lines.append({"File": file_name, "Line": number, **result})
    return lines


def _start(kind: str) -> Any:
    job_type, properties, answer, languages = KINDS[kind]

    def start(stand_in: StandIn, body: dict[str, Any]) -> Any:
        jobs = stand_in.state.setdefault("comprehend_jobs", {})
        token = body.get("ClientRequestToken")
        for job_id, job in jobs.items():
            if token and job["token"] == token:
                return {"JobId": job_id, "JobStatus": job["status"]}
        if languages is not None:
            sync.check_language(body.get("LanguageCode"), languages)
        for required in ("InputDataConfig", "OutputDataConfig", "DataAccessRoleArn"):
            if not body.get(required):
                raise AwsError("InvalidRequestException", f"{required} is required")
        source = body["InputDataConfig"]["S3Uri"]
        if body["InputDataConfig"].get("InputFormat") != "ONE_DOC_PER_LINE":
            raise AwsError("InvalidRequestException", "the stand-in reads ONE_DOC_PER_LINE")
        bucket, key = _split(source)
        data = stand_in.read_object(bucket, key, missing="InvalidRequestException")
        job_id = uuid.uuid4().hex
        file_name = key.rsplit("/", 1)[-1]
        lines = _analyse_lines(data, answer, file_name)
        out_bucket, out_prefix = _split(body["OutputDataConfig"]["S3Uri"].rstrip("/") + "/")
        folder = f"{out_prefix}{ACCOUNT}-{job_type}-{job_id}/output/"
        payload = "".join(json.dumps(line) + "\n" for line in lines).encode()
        if kind == "PiiEntities":
            out_key = f"{folder}{file_name}.out"
            uri = f"s3://{out_bucket}/{out_prefix}"
        else:
            out_key, payload = f"{folder}output.tar.gz", _tar_gz("output", payload)
            uri = f"s3://{out_bucket}/{out_key}"
        stand_in.s3().put_object(Bucket=out_bucket, Key=out_key, Body=payload)
        jobs[job_id] = {
            "token": token,
            "status": "SUBMITTED",
            "properties": properties,
            "described": 0,
            "body": body,
            "output": uri,
        }
        return {"JobId": job_id, "JobStatus": "SUBMITTED"}

    return start


def _describe(kind: str) -> Any:
    _, properties, _, _ = KINDS[kind]

    def describe(stand_in: StandIn, body: dict[str, Any]) -> Any:
        job = stand_in.state.get("comprehend_jobs", {}).get(body.get("JobId"))
        if job is None or job["properties"] != properties:
            raise AwsError("JobNotFoundException", f"no job {body.get('JobId')}")
        job["described"] += 1
        if job["described"] == 1:
            job["status"] = "IN_PROGRESS"
        else:
            job["status"] = "FAILED" if stand_in.state.get("fail_jobs") else "COMPLETED"
        request = job["body"]
        answer = {
            "JobId": body["JobId"],
            "JobName": request.get("JobName", ""),
            "JobStatus": job["status"],
            "InputDataConfig": request["InputDataConfig"],
            "OutputDataConfig": {"S3Uri": job["output"]},
            "DataAccessRoleArn": request["DataAccessRoleArn"],
        }
        if "LanguageCode" in request:
            answer["LanguageCode"] = request["LanguageCode"]
        if job["status"] == "FAILED":
            answer["Message"] = "the stand-in was told to fail its jobs"
        return {properties: answer}

    return describe


def _tar_gz(name: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(name)
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


JOB_TARGETS = {
    **{f"{sync.PREFIX}.Start{kind}DetectionJob": _start(kind) for kind in KINDS},
    **{f"{sync.PREFIX}.Describe{kind}DetectionJob": _describe(kind) for kind in KINDS},
}
