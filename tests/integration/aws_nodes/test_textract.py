"""The ``textract`` node through the builder: documents in a moto bucket, read by the Textract
stand-in (moto's Textract ignores the document), design → publish → run → row by row.

The asynchronous run defers: ``dag.test()`` runs the trigger in line (``_run_inline_trigger``),
which this module watches to see the node wait in the triggerer, not in its worker.
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from airloom.datasets import read_table
from tests.harness.designs import Designer
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.integration.builder.specs import node, spec

TRIGGER = "airloom.aws_ai.textract.TextractJobsEndedTrigger"

INVOICE = (
    "ACME Supplies\n"
    "Invoice number: INV-1042\n"
    "Due date: 2026-12-31\n"
    "\n"
    "Item | Qty | Price\n"
    "Paper | 10 | 4.50\n"
    "Toner | 1 | 80.00\n"
    "\f"
    "Page two\n"
    "Total: 125.00\n"
)
LETTER = "Dear customer,\nThank you for your order.\n"
# 450 lines of two words: 1,351 blocks, more than one result page of 1,000.
REPORT = "".join(f"Reading {n}\n" for n in range(450))


@pytest.fixture(scope="module")
def documents(moto) -> dict[str, str]:
    """A bucket holding two readable documents, one that is no document and one outside the
    granted prefix; returns each row's reference by name (one names a missing object)."""
    s3 = boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"docs-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    objects = {
        "granted/invoice.pdf": INVOICE.encode(),
        "granted/letter.pdf": LETTER.encode(),
        "granted/report.pdf": REPORT.encode(),
        "granted/photo.png": b"\x89PNG\r\n\x1a\n\xff\xfe\x00binary",
        "private/salaries.pdf": b"Salary: 1000000\n",
    }
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    return {
        "granted": f"s3://{bucket}/granted/",
        "invoice": f"s3://{bucket}/granted/invoice.pdf",
        "letter": f"s3://{bucket}/granted/letter.pdf",
        "report": f"s3://{bucket}/granted/report.pdf",
        "photo": f"s3://{bucket}/granted/photo.png",
        "missing": f"s3://{bucket}/granted/lost.pdf",
        "private": f"s3://{bucket}/private/salaries.pdf",
    }


def _input_rows(lake: Path, tenant: str, rows: list[tuple[str, str]]) -> None:
    folder = lake / "tenants" / tenant / "inputs"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "documents.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["doc_id", "document"])
        writer.writerows(rows)


def _design(name: str, **textract: Any) -> dict[str, Any]:
    params = {
        "document_column": "document",
        "output_dataset": "documents_read",
        "aws_conn_id": AWS_CONN_ID,
        **textract,
    }
    return spec(
        name,
        nodes=[
            node(
                "load",
                "file_ingest",
                {"source": "lake://inputs/documents.csv", "format": "csv", "dataset": "documents"},
            ),
            node("read", "textract", params, x=200),
        ],
        edges=[{"source": "load.table", "target": "read.table"}],
    )


@pytest.fixture
def inline_triggers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Each trigger ``dag.test()`` ran in the triggerer's place, with the event it gave."""
    from airflow.sdk.definitions import dag as dag_module

    runs: list[tuple[str, Any]] = []
    run_trigger = dag_module._run_inline_trigger

    def watched(trigger: Any, ti: Any) -> Any:
        event = run_trigger(trigger, ti)
        runs.append((trigger.serialize()[0], event.payload if event else None))
        return event

    monkeypatch.setattr(dag_module, "_run_inline_trigger", watched)
    return runs


def _output(lake: Path, tenant: str) -> dict[str, dict[str, Any]]:
    table = read_table(str(lake / "tenants" / tenant / "documents_read"))
    return {row["doc_id"]: row for row in table.to_pylist()}


def test_async_jobs_read_text_forms_and_tables_row_by_row(
    design: Designer, stand_in_calls, lake: Path, documents: dict[str, str], inline_triggers
) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,), s3={documents["granted"]: AWS_CONN_ID})
    rows = [
        ("invoice", documents["invoice"]),
        ("letter", documents["letter"]),
        ("report", documents["report"]),
        ("photo", documents["photo"]),
        ("missing", documents["missing"]),
        ("private", documents["private"]),
        ("blank", ""),
    ]
    _input_rows(lake, tenant.name, rows)
    stand_in_calls.throttle("StartDocumentAnalysis", 1)
    design_spec = _design(
        "read_invoices", features=["TABLES", "FORMS"], waiter_delay=1, max_concurrent_jobs=2
    )

    result = design.publish(tenant, design_spec).run()

    assert result.succeeded, result.task_states
    # The node waited in the triggerer and resumed, in waves of at most two jobs: four
    # documents started (the missing one was refused by Start, ending the last wave early).
    assert [classpath for classpath, _ in inline_triggers] == [TRIGGER, TRIGGER]
    assert [event["status"] for _, event in inline_triggers] == ["success", "success"]
    assert [len(event["job_ids"]) for _, event in inline_triggers] == [2, 2]
    out = _output(lake, tenant.name)
    assert list(out) == [doc for doc, _ in rows]  # every row once, in order

    invoice = out["invoice"]
    assert invoice["error"] is None
    assert invoice["pages"] == 2
    assert invoice["text"] == (
        "ACME Supplies\nInvoice number: INV-1042\nDue date: 2026-12-31\n"
        "Item | Qty | Price\nPaper | 10 | 4.50\nToner | 1 | 80.00"
        "\fPage two\nTotal: 125.00"
    )
    assert invoice["forms"] == [
        {"key": "Invoice number", "value": "INV-1042"},
        {"key": "Due date", "value": "2026-12-31"},
        {"key": "Total", "value": "125.00"},
    ]
    assert invoice["tables"] == [
        [["Item", "Qty", "Price"], ["Paper", "10", "4.50"], ["Toner", "1", "80.00"]]
    ]
    letter = out["letter"]
    assert (
        letter["text"],
        letter["pages"],
        letter["forms"],
        letter["tables"],
        letter["error"],
    ) == (
        "Dear customer,\nThank you for your order.",
        1,
        [],
        [],
        None,
    )
    # A result longer than one page of blocks is read to its end (NextToken).
    assert out["report"]["text"].split("\n") == [f"Reading {n}" for n in range(450)]
    tokens = [
        body.get("NextToken")
        for op, body in stand_in_calls.bodies
        if op == "GetDocumentAnalysis" and body.get("MaxResults") == 1000
    ]
    assert tokens.count("1000") == 1
    # A job that failed, an object that is not there, one outside the grant, an empty row.
    assert out["photo"]["error"] == "JOB_FAILED: Request has unsupported document format"
    assert out["photo"]["text"] is None
    assert out["missing"]["error"].startswith("InvalidS3ObjectException: ")
    assert out["private"]["error"] == (
        f"NOT_GRANTED: {documents['private']} is not under an S3 location granted to "
        f"tenant {tenant.name!r}"
    )
    assert out["blank"]["error"].startswith("EMPTY: ")
    # Rows refused before calling were never sent; the throttled start was retried.
    assert stand_in_calls.calls["StartDocumentAnalysis"] == 5 + 1  # 5 documents + 1 retry
    sent = [
        body["DocumentLocation"]["S3Object"]["Name"]
        for op, body in stand_in_calls.bodies
        if op == "StartDocumentAnalysis"
    ]
    assert "private/salaries.pdf" not in sent
    usage = {item["operation"]: item for item in result.xcoms["read"]["usage"]}
    assert set(usage) == {"analyze_document_tables", "analyze_document_forms"}
    assert usage["analyze_document_forms"]["units"] == 4  # pages read: 2 + 1 + 1
    assert usage["analyze_document_forms"]["retries"] == 1
    assert result.xcoms["read"]["failed_rows"] == 4


def test_sync_mode_detects_text_of_single_page_documents(
    design: Designer, stand_in_calls, lake: Path, documents: dict[str, str]
) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,), s3={documents["granted"]: AWS_CONN_ID})
    rows = [("letter", documents["letter"]), ("invoice", documents["invoice"])]
    _input_rows(lake, tenant.name, rows)
    stand_in_calls.throttle("DetectDocumentText", 1)

    result = design.publish(tenant, _design("read_letters", mode="sync")).run()

    assert result.succeeded, result.task_states
    out = _output(lake, tenant.name)
    assert out["letter"]["text"] == "Dear customer,\nThank you for your order."
    assert out["letter"]["error"] is None
    # Two pages cannot go through the synchronous API: that row says so, the other is read.
    assert out["invoice"]["error"].startswith("UnsupportedDocumentException: ")
    assert stand_in_calls.calls["DetectDocumentText"] == 3  # 2 rows + 1 throttled retry
    assert result.xcoms["read"]["usage"][0]["operation"] == "detect_document_text"


def test_a_tenant_without_the_aws_connection_cannot_design_the_node(design: Designer) -> None:
    tenant = design.tenant()
    problems = design.problems(tenant, _design("no_grant"))
    assert [(p["nodeId"], p["field"], p["code"]) for p in problems] == [
        ("read", "nodes.1.params.aws_conn_id", "NOT_GRANTED")
    ]
    assert "an admin must configure an AWS connection" in problems[0]["message"]


async def _first_event(trigger: Any) -> dict[str, Any]:
    async for event in trigger.run():
        return event.payload
    raise AssertionError("the trigger fired no event")


def test_the_trigger_gives_up_after_its_attempts_and_fires_once_jobs_end(
    stand_in_calls, documents: dict[str, str]
) -> None:
    import asyncio

    from airloom.aws_ai.textract import TextractJobsEndedTrigger

    textract = boto3.client(
        "textract",
        endpoint_url=stand_in_calls.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket, _, key = documents["letter"].removeprefix("s3://").partition("/")
    job_id = textract.start_document_text_detection(
        DocumentLocation={"S3Object": {"Bucket": bucket, "Name": key}}
    )["JobId"]

    def trigger(attempts: int) -> TextractJobsEndedTrigger:
        return TextractJobsEndedTrigger(
            job_ids=[job_id],
            analysis=False,
            waiter_delay=1,
            waiter_max_attempts=attempts,
            aws_conn_id=AWS_CONN_ID,
        )

    # The job is still running at the one check allowed: the wait fails, naming the job.
    gave_up = asyncio.run(_first_event(trigger(1)))
    assert gave_up["status"] == "error"
    assert job_id in gave_up["message"]
    # Checked again, it has ended: the event names the jobs the node resumes with.
    ended = asyncio.run(_first_event(trigger(2)))
    assert ended == {"status": "success", "job_ids": [job_id]}
