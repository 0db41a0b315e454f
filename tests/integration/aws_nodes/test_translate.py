"""The ``translate`` node through the builder: designed, published and run against the
Translate stand-in (tests/harness/aws_stand_ins/translate.py), its output read row by row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from airloom.datasets import read_table
from tests.harness.aws_stand_ins.server import StandIn
from tests.harness.designs import Designer
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.integration.builder.specs import node, spec

MESSAGES = [
    ("m-hello", "Hello, my order is late."),
    ("m-spanish", "El paquete llegó roto"),  # detected Spanish: Spanish to Spanish is no pair
    ("m-digits", "12345 67"),  # no language to detect
    ("m-empty", ""),
    ("m-long", "x" * 10_001),  # over TranslateText's 10,000 bytes: never sent
    ("m-thanks", "Thanks and please refund the broken package!"),
]


def _messages_in_lake(lake: Path, tenant: str) -> None:
    folder = lake / "tenants" / tenant / "inputs" / "messages"
    folder.mkdir(parents=True, exist_ok=True)
    ids, texts = zip(*MESSAGES, strict=True)
    pq.write_table(pa.table({"message_id": ids, "body": texts}), folder / "part-0.parquet")


def _design(name: str, **translate: Any) -> dict[str, Any]:
    params = {
        "text_column": "body",
        "output_dataset": "messages_translated",
        "aws_conn_id": AWS_CONN_ID,
        **translate,
    }
    return spec(
        name,
        nodes=[
            node(
                "messages",
                "file_ingest",
                {
                    "source": "lake://inputs/messages/*.parquet",
                    "format": "parquet",
                    "dataset": "messages",
                    "write_mode": "replace",
                },
            ),
            node("translate", "translate", params, x=200),
        ],
        edges=[{"source": "messages.table", "target": "translate.table"}],
    )


def test_each_message_gets_its_translation_and_source_language_or_its_error(
    design: Designer, stand_in_calls: StandIn, lake: Path
) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,))
    _messages_in_lake(lake, tenant.name)
    published = design.publish(tenant, _design("support_translate", target_language="es"))
    stand_in_calls.throttle("TranslateText", 1)

    result = published.run()

    assert result.succeeded, result.task_states
    output = read_table(str(lake / "tenants" / tenant.name / "messages_translated"))
    assert output.column("message_id").to_pylist() == [m for m, _ in MESSAGES]
    rows = {row["message_id"]: row for row in output.to_pylist()}
    assert (rows["m-hello"]["translated_text"], rows["m-hello"]["source_language"]) == (
        "[es] hola, mi pedido es tarde.",
        "en",
    )
    assert rows["m-thanks"]["translated_text"] == (
        "[es] gracias y por favor reembolso el roto paquete!"
    )
    for good in ("m-hello", "m-thanks"):
        assert rows[good]["error"] is None

    assert rows["m-spanish"]["error"] == (
        "UnsupportedLanguagePairException: Unsupported language pair: es to es"
    )
    assert rows["m-digits"]["error"].startswith("DetectedLanguageLowConfidenceException: ")
    assert rows["m-empty"]["error"] == "EMPTY_TEXT: the row has no text to translate"
    assert rows["m-long"]["error"] == (
        "TextSizeLimitExceededException: 10001 bytes of UTF-8; TranslateText takes at most 10000"
    )
    for bad in ("m-spanish", "m-digits", "m-empty", "m-long"):
        assert rows[bad]["translated_text"] is None and rows[bad]["source_language"] is None

    # Four texts sent (not the empty or the long one), one of them twice: throttled, retried.
    assert stand_in_calls.calls["TranslateText"] == 4 + 1
    outputs = result.xcoms["translate"]
    assert (outputs["rows"], outputs["failed_rows"]) == (6, 4)
    (usage,) = outputs["usage"]
    assert (usage["operation"], usage["unit"], usage["requests"], usage["retries"]) == (
        "translate_text",
        "character",
        2,  # the two translated; refused requests are not billed
        1,
    )
    assert usage["units"] == len(MESSAGES[0][1]) + len(MESSAGES[5][1])


def test_a_tenant_without_the_aws_connection_or_with_one_language_gets_problems(
    design: Designer, stand_in: StandIn
) -> None:
    stranger = design.tenant()
    problems = design.problems(stranger, _design("no_grant", target_language="fr"))
    assert [(p["nodeId"], p["field"], p["code"]) for p in problems] == [
        ("translate", "nodes.1.params.aws_conn_id", "NOT_GRANTED")
    ]

    granted = design.tenant(connections=(AWS_CONN_ID,))
    problems = design.problems(
        granted, _design("same_language", source_language="de", target_language="de")
    )
    assert len(problems) == 1 and problems[0]["nodeId"] == "translate"
    assert "target_language must differ from source_language" in problems[0]["message"]
