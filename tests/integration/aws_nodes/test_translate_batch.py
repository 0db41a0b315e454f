"""The ``translate`` node's batch mode through the builder: rows staged as documents in a
granted S3 location (moto), one Translate batch job (the stand-in's), the task waiting in the
triggerer, each row's translation or error read back."""

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

BUCKET = "airloom-translate-staging"
ROLE = "arn:aws:iam::123456789012:role/airloom-translate"
MESSAGES = [
    ("b-hello", "Hello, my order is late."),
    ("b-empty", " "),
    ("b-digits", "12345 67"),  # the job cannot translate it: its document's error
    ("b-thanks", "Thanks and please refund the broken package!"),
]


@pytest.fixture
def s3(moto: RunningServer) -> Any:
    client = boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    return client


def _design(name: str, staging: str, **translate: Any) -> dict[str, Any]:
    params = {
        "text_column": "body",
        "output_dataset": "messages_batch_translated",
        "aws_conn_id": AWS_CONN_ID,
        "mode": "batch",
        "source_language": "en",
        "target_language": "fr",
        "staging_location": staging,
        "data_access_role_arn": ROLE,
        "waiter_delay": 1,
        "waiter_max_attempts": 5,
        **translate,
    }
    return spec(
        name,
        nodes=[
            node(
                "messages",
                "file_ingest",
                {
                    "source": "lake://inputs/batch_messages/*.parquet",
                    "format": "parquet",
                    "dataset": "batch_messages",
                    "write_mode": "replace",
                },
            ),
            node("translate", "translate", params, x=200),
        ],
        edges=[{"source": "messages.table", "target": "translate.table"}],
    )


def test_a_batch_job_gives_each_row_its_translation_or_its_error(
    design: Designer, stand_in_calls: StandIn, lake: Path, s3: Any
) -> None:
    granted = f"s3://{BUCKET}/support/"
    tenant = design.tenant(connections=(AWS_CONN_ID,), s3={granted: AWS_CONN_ID})
    folder = lake / "tenants" / tenant.name / "inputs" / "batch_messages"
    folder.mkdir(parents=True)
    ids, texts = zip(*MESSAGES, strict=True)
    pq.write_table(pa.table({"message_id": ids, "body": texts}), folder / "part-0.parquet")
    published = design.publish(tenant, _design("batch_translate", f"{granted}jobs/"))

    result = published.run()

    assert result.succeeded, result.task_states
    output = read_table(str(lake / "tenants" / tenant.name / "messages_batch_translated"))
    assert output.column("message_id").to_pylist() == list(ids)
    rows = {row["message_id"]: row for row in output.to_pylist()}
    assert rows["b-hello"]["translated_text"] == "[fr] bonjour, ma commande est en retard."
    assert rows["b-thanks"]["translated_text"] == (
        "[fr] merci et s'il vous plaît remboursement le cassé colis!"
    )
    for good in ("b-hello", "b-thanks"):
        assert (rows[good]["source_language"], rows[good]["error"]) == ("en", None)
    assert rows["b-empty"]["error"] == "EMPTY_TEXT: the row has no text to translate"
    assert rows["b-digits"]["error"] == "InvalidRequestException: No text to translate"
    assert rows["b-digits"]["translated_text"] is None

    calls = stand_in_calls.calls
    assert calls["StartTextTranslationJob"] == 1
    assert calls["DescribeTextTranslationJob"] >= 2  # polled in the triggerer until it ended
    assert calls["TranslateText"] == 0
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="support/").get("KeyCount") == 0
    (usage,) = result.xcoms["translate"]["usage"]
    assert (usage["operation"], usage["requests"]) == ("translate_text_batch", 1)
    assert usage["units"] == len(MESSAGES[0][1]) + len(MESSAGES[3][1])


def test_batch_staging_outside_the_tenants_grant_or_without_a_source_is_a_problem(
    design: Designer, stand_in: StandIn
) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,), s3={f"s3://{BUCKET}/support/": AWS_CONN_ID})
    problems = design.problems(tenant, _design("elsewhere", f"s3://{BUCKET}/someone-else/"))
    assert [(p["nodeId"], p["field"], p["code"]) for p in problems] == [
        ("translate", "nodes.1.params.staging_location", "NOT_GRANTED")
    ]
    problems = design.problems(
        tenant, _design("auto_source", f"s3://{BUCKET}/support/jobs/", source_language="auto")
    )
    assert len(problems) == 1 and "set source_language" in problems[0]["message"]
