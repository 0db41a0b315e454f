"""Amazon Translate's batch jobs in the stand-in (registered by ``translate.py``).

``StartTextTranslationJob`` reads every ``text/plain`` object under its input prefix from
moto's S3, translates each with the stand-in's dictionary (``translate.translated``) and writes
what the service writes under ``<output>/<account>-TranslateText-<job id>/``: ``<target>.<file>``
per translated document and ``details/<target>.auxiliary-translation-details.json`` listing
each document, with ``auxiliaryData.error`` for one that failed. A document with no letter at
all fails (``InvalidRequestException``: nothing to translate) and the job ends
``COMPLETED_WITH_ERROR``. ``DescribeTextTranslationJob`` answers ``IN_PROGRESS`` the first time
and the final status after. The same ``ClientToken`` returns the same job.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from tests.harness.aws_stand_ins import translate as sync
from tests.harness.aws_stand_ins.server import ACCOUNT, AwsError, StandIn


def _split(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def start_text_translation_job(stand_in: StandIn, body: dict[str, Any]) -> Any:
    jobs = stand_in.state.setdefault("translate_jobs", {})
    for job_id, job in jobs.items():
        if job["token"] == body.get("ClientToken"):
            return {"JobId": job_id, "JobStatus": job["status"]}
    source, targets = body.get("SourceLanguageCode"), body.get("TargetLanguageCodes") or []
    if len(targets) != 1 or source not in sync.LANGUAGES or targets[0] not in sync.LANGUAGES:
        raise AwsError("UnsupportedLanguagePairException", f"{source} to {targets}")
    target = targets[0]
    if "en" not in (source, target) or source == target:
        raise AwsError("UnsupportedLanguagePairException", f"{source} to {target}")
    in_bucket, in_prefix = _split(body["InputDataConfig"]["S3Uri"])
    out_bucket, out_prefix = _split(body["OutputDataConfig"]["S3Uri"])
    s3 = stand_in.s3()
    job_id = uuid.uuid4().hex
    folder = f"{out_prefix}{ACCOUNT}-TranslateText-{job_id}/"
    details, errors = [], 0
    listed = s3.list_objects_v2(Bucket=in_bucket, Prefix=in_prefix).get("Contents", [])
    for item in listed:
        name = item["Key"].removeprefix(in_prefix)
        text = s3.get_object(Bucket=in_bucket, Key=item["Key"])["Body"].read().decode("utf-8")
        if not re.search(r"[^\W\d_]", text):
            errors += 1
            error = {"errorCode": "InvalidRequestException", "errorMessage": "No text to translate"}
            details.append({"sourceFile": name, "auxiliaryData": {"error": error}})
            continue
        out_name = f"{target}.{name}"
        s3.put_object(
            Bucket=out_bucket,
            Key=folder + out_name,
            Body=sync.translated(text, source, target).encode("utf-8"),
        )
        details.append({"sourceFile": name, "targetFile": out_name})
    summary = {
        "sourceLanguageCode": source,
        "targetLanguageCode": target,
        "documentCountWithCustomerError": str(errors),
        "documentCountWithServerError": "0",
        "details": details,
    }
    s3.put_object(
        Bucket=out_bucket,
        Key=f"{folder}details/{target}.auxiliary-translation-details.json",
        Body=json.dumps(summary).encode(),
    )
    jobs[job_id] = {
        "token": body.get("ClientToken"),
        "status": "SUBMITTED",
        "final": "COMPLETED_WITH_ERROR" if errors else "COMPLETED",
        "described": 0,
        "body": body,
        "counts": (len(listed), len(listed) - errors, errors),
    }
    return {"JobId": job_id, "JobStatus": "SUBMITTED"}


def describe_text_translation_job(stand_in: StandIn, body: dict[str, Any]) -> Any:
    job = stand_in.state.get("translate_jobs", {}).get(body.get("JobId"))
    if job is None:
        raise AwsError("ResourceNotFoundException", f"no job {body.get('JobId')}")
    job["described"] += 1
    job["status"] = "IN_PROGRESS" if job["described"] == 1 else job["final"]
    request = job["body"]
    total, translated, failed = job["counts"]
    return {
        "TextTranslationJobProperties": {
            "JobId": body["JobId"],
            "JobName": request.get("JobName", ""),
            "JobStatus": job["status"],
            "JobDetails": {
                "InputDocumentsCount": total,
                "TranslatedDocumentsCount": translated,
                "DocumentsWithErrorsCount": failed,
            },
            "SourceLanguageCode": request["SourceLanguageCode"],
            "TargetLanguageCodes": request["TargetLanguageCodes"],
            "InputDataConfig": request["InputDataConfig"],
            "OutputDataConfig": request["OutputDataConfig"],
            "DataAccessRoleArn": request["DataAccessRoleArn"],
        }
    }


JOB_TARGETS = {
    f"{sync.PREFIX}.StartTextTranslationJob": start_text_translation_job,
    f"{sync.PREFIX}.DescribeTextTranslationJob": describe_text_translation_job,
}
