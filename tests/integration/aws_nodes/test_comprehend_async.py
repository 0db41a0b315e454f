"""The ``comprehend`` node's async mode through the builder: texts staged in a granted S3
location (moto), one Comprehend job per analysis (the stand-in's jobs), the task waiting in
the triggerer, results aligned back to rows by line number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airloom.datasets import read_table
from tests.harness.aws_stand_ins.server import REGION, StandIn
from tests.harness.designs import Designer
from tests.harness.servers import RunningServer
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.integration.builder.specs import node, spec

BUCKET = "airloom-comprehend-staging"
ROLE = "arn:aws:iam::123456789012:role/airloom-comprehend"
TICKETS = [
    ("a-pii", "My name is Jane Doe and the package arrived broken.\nCall +1 555 010 9999."),
    ("a-empty", ""),
    ("a-thanks", "Thanks, the team was great."),
    ("a-digits", "12345 678"),
    ("a-long", "word " * 1_001),
]


@pytest.fixture
def s3(moto: RunningServer) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def staging_bucket(s3: Any) -> str:
    s3.create_bucket(Bucket=BUCKET)
    return BUCKET


def _design(name: str, staging: str, **comprehend: Any) -> dict[str, Any]:
    params = {
        "text_column": "message",
        "output_dataset": "tickets_analysed_async",
        "aws_conn_id": AWS_CONN_ID,
        "mode": "async",
        "language_code": "en",
        "staging_location": staging,
        "data_access_role_arn": ROLE,
        "waiter_delay": 1,
        "waiter_max_attempts": 5,
        **comprehend,
    }
    return spec(
        name,
        nodes=[
            node(
                "tickets",
                "file_ingest",
                {
                    "source": "lake://inputs/async_tickets/*.parquet",
                    "format": "parquet",
                    "dataset": "async_tickets",
                    "write_mode": "replace",
                },
            ),
            node("analyse", "comprehend", params, x=200),
        ],
        edges=[{"source": "tickets.table", "target": "analyse.table"}],
    )


def test_async_jobs_give_each_row_its_results_or_its_error(
    design: Designer, stand_in_calls: StandIn, lake: Path, staging_bucket: str, s3: Any
) -> None:
    granted = f"s3://{staging_bucket}/support/"
    tenant = design.tenant(connections=(AWS_CONN_ID,), s3={granted: AWS_CONN_ID})
    folder = lake / "tenants" / tenant.name / "inputs" / "async_tickets"
    folder.mkdir(parents=True)
    ids, texts = zip(*TICKETS, strict=True)
    pq.write_table(pa.table({"ticket_id": ids, "message": texts}), folder / "part-0.parquet")
    published = design.publish(
        tenant,
        _design(
            "async_comprehend",
            f"{granted}jobs/",
            analyses=["sentiment", "pii_entities", "language"],
            redact_pii=True,
        ),
    )

    result = published.run()

    assert result.succeeded, result.task_states
    output = read_table(str(lake / "tenants" / tenant.name / "tickets_analysed_async"))
    assert output.column("ticket_id").to_pylist() == list(ids)
    rows = {row["ticket_id"]: row for row in output.to_pylist()}
    pii = rows["a-pii"]
    assert (pii["sentiment"], pii["language"], pii["error"]) == ("NEGATIVE", "en", None)
    assert [entity["type"] for entity in pii["pii_entities"]] == ["NAME", "PHONE"]
    # The line break was staged as a space: the offsets still fit the row's own text.
    assert pii["message_redacted"] == (
        "My name is [NAME] and the package arrived broken.\nCall [PHONE]."
    )
    assert (rows["a-thanks"]["sentiment"], rows["a-thanks"]["error"]) == ("POSITIVE", None)
    assert rows["a-thanks"]["pii_entities"] == []
    assert rows["a-empty"]["error"] == "EMPTY_TEXT: the row has no text to analyse"
    assert rows["a-long"]["error"].startswith("TEXT_TOO_LONG: 5005 bytes")
    # The language job's output line for this row is an error: the row keeps it.
    assert rows["a-digits"]["error"].startswith("INVALID_REQUEST: ")
    assert rows["a-digits"]["sentiment"] is None

    # The staged texts and the jobs' outputs (PII included) are gone once the table is written.
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="support/").get("KeyCount") == 0
    calls = stand_in_calls.calls
    for kind in ("Sentiment", "PiiEntities", "DominantLanguage"):
        assert calls[f"Start{kind}DetectionJob"] == 1
        assert calls[f"Describe{kind}DetectionJob"] >= 2  # polled while IN_PROGRESS, then done
    assert not any(operation.startswith("Batch") for operation in calls)
    outputs = result.xcoms["analyse"]
    assert (outputs["rows"], outputs["failed_rows"]) == (5, 3)
    assert {item["operation"]: item["requests"] for item in outputs["usage"]} == {
        "detect_sentiment": 1,
        "detect_pii_entities": 1,
        "detect_dominant_language": 1,
    }


def test_async_staging_outside_the_tenants_s3_grant_is_a_problem(
    design: Designer, stand_in: StandIn
) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,), s3={f"s3://{BUCKET}/support/": AWS_CONN_ID})
    # Another tenant's folder in the same bucket, and a design missing the role.
    problems = design.problems(
        tenant, _design("elsewhere", f"s3://{BUCKET}/other-tenant/", analyses=["sentiment"])
    )
    assert [(p["nodeId"], p["field"], p["code"]) for p in problems] == [
        ("analyse", "nodes.1.params.staging_location", "NOT_GRANTED")
    ]
    problems = design.problems(
        tenant,
        _design(
            "no_role",
            f"s3://{BUCKET}/support/jobs/",
            analyses=["sentiment"],
            data_access_role_arn=None,
        ),
    )
    assert len(problems) == 1 and "async mode needs data_access_role_arn" in problems[0]["message"]
