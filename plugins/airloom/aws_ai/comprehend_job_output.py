"""What a ``comprehend`` node's Comprehend jobs wrote, aligned back to its rows.

Each job's output (``output.tar.gz``, or ``.out`` files for a PII job) holds one JSON line per
staged document: its result, or its ``ErrorCode``, with its ``Line`` number; the staging plan
(:mod:`airloom.aws_ai.comprehend_jobs`) says which row each line is.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterable, Sequence
from typing import Any

from airloom.aws_ai.comprehend_jobs import KINDS, s3_hook
from airloom.aws_ai.rows import RowError, RowOutcome


def output_lines(files: Iterable[tuple[str, bytes]]) -> Iterable[dict[str, Any]]:
    """The JSON lines of a job's output files: a ``.tar.gz`` archive's members, or the files
    as they are (PII jobs write ``<input>.out`` files)."""
    for name, data in files:
        if name.endswith(".tar.gz"):
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
                for member in archive.getmembers():
                    extracted = archive.extractfile(member) if member.isfile() else None
                    if extracted is not None:
                        yield from _json_lines(extracted.read())
        else:
            yield from _json_lines(data)


def _json_lines(data: bytes) -> Iterable[dict[str, Any]]:
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


def outcomes_by_line(
    lines: Iterable[dict[str, Any]], documents: int, read: Any, analysis: str
) -> list[RowOutcome]:
    """One outcome per staged document, from a job's output lines (``Line`` numbers from 0):
    the line's result through ``read``, or its ``ErrorCode``; a document the output does not
    mention gets ``NO_RESULT`` rather than a made-up answer."""
    found: list[RowOutcome | None] = [None] * documents
    for line in lines:
        number = int(line.get("Line", -1))
        if not 0 <= number < documents:
            raise RuntimeError(f"the {analysis} job's output names line {number} of {documents}")
        if "ErrorCode" in line:
            found[number] = RowError(str(line["ErrorCode"]), str(line.get("ErrorMessage", "")))
        else:
            found[number] = read(line)
    return [
        outcome
        if outcome is not None
        else RowError("NO_RESULT", f"the {analysis} job's output has no line for this row")
        for outcome in found
    ]


def job_outcomes(
    params: Any, plan_uri: str, jobs: Sequence[Sequence[str]], total: int
) -> tuple[list[RowOutcome], list[Any]]:
    """Every row's outcome from the completed jobs' outputs, and the usage of each job."""
    from airflow.providers.amazon.aws.hooks.comprehend import ComprehendHook

    from airloom.aws_ai.clients import aws_client
    from airloom.aws_ai.comprehend import OPERATIONS, READERS, SERVICE, UNIT, merge_outcomes
    from airloom.aws_ai.usage import Usage

    s3 = s3_hook(params)
    plan = json.loads(s3.read_key(plan_uri))
    if plan["total"] != total:
        raise RuntimeError(
            f"the input has {total} rows but {plan['total']} were staged: it changed while the "
            "jobs ran; run the node again"
        )
    outcomes: list[RowOutcome] = [{} for _ in range(total)]
    for row, code, message in plan["refused"]:
        outcomes[row] = RowError(code, message)
    client = aws_client(
        "comprehend", params.aws_conn_id, region_name=params.region_name, hook_class=ComprehendHook
    )
    usages = []
    for analysis, job_id in jobs:
        kind = KINDS[analysis]
        properties = getattr(client, kind.describe)(JobId=job_id)[kind.properties]
        files = _output_files(s3, properties["OutputDataConfig"]["S3Uri"])
        found = outcomes_by_line(
            output_lines(files), len(plan["rows"]), READERS[kind.reader], analysis
        )
        merge_outcomes(outcomes, found, plan["rows"])
        usage = Usage(SERVICE, OPERATIONS[analysis].usage_name, UNIT)
        usage.called(plan["units"])
        usages.append(usage)
    return outcomes, usages


def _output_files(s3: Any, uri: str) -> list[tuple[str, bytes]]:
    """A job's output: the ``output.tar.gz`` it names, or every file under its folder."""
    bucket, key = s3.parse_s3_url(uri)
    if key.endswith(".tar.gz"):
        keys = [key]
    else:
        keys = [
            found
            for found in s3.list_keys(bucket_name=bucket, prefix=key)
            if found.endswith(".out")
        ]
    return [(name, s3.get_key(name, bucket_name=bucket).get()["Body"].read()) for name in keys]
