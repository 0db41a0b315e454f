"""The ``comprehend`` node through the builder: designed, published and run against the
Comprehend stand-in (tests/harness/aws_stand_ins/comprehend.py), its output read row by row."""

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

LONG = "word " * 1_001  # 5,005 bytes: over the 5,000 a batch call takes
TICKETS = [
    ("t-thanks", "Thanks, the agent was great and my issue is resolved."),
    ("t-pii", "My name is Jane Doe, email jane@example.com, and the refund is late."),
    ("t-es", "El pedido es malo y no llega a Madrid."),
    ("t-empty", "   "),
    ("t-de", "Der Versand ist schlecht und nicht schnell."),
    ("t-digits", "12345 !!! 678"),
    ("t-long", LONG),
    *[(f"t-{i:02d}", f"Order {i} was fine and fast, thanks to the team.") for i in range(30)],
]


def _tickets_in_lake(lake: Path, tenant: str) -> None:
    folder = lake / "tenants" / tenant / "inputs" / "tickets"
    folder.mkdir(parents=True, exist_ok=True)
    ids, texts = zip(*TICKETS, strict=True)
    pq.write_table(pa.table({"ticket_id": ids, "message": texts}), folder / "part-0.parquet")


def _design(name: str, **comprehend: Any) -> dict[str, Any]:
    params = {
        "text_column": "message",
        "output_dataset": "tickets_analysed",
        "aws_conn_id": AWS_CONN_ID,
        **comprehend,
    }
    return spec(
        name,
        nodes=[
            node(
                "tickets",
                "file_ingest",
                {
                    "source": "lake://inputs/tickets/*.parquet",
                    "format": "parquet",
                    "dataset": "tickets",
                    "write_mode": "replace",
                },
            ),
            node("analyse", "comprehend", params, x=200),
        ],
        edges=[{"source": "tickets.table", "target": "analyse.table"}],
    )


def test_each_ticket_gets_its_sentiment_phrases_entities_and_masked_pii_or_its_error(
    design: Designer, stand_in_calls: StandIn, lake: Path
) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,))
    _tickets_in_lake(lake, tenant.name)
    published = design.publish(
        tenant,
        _design(
            "support_comprehend",
            language_code="auto",
            analyses=["sentiment", "key_phrases", "entities", "pii_entities"],
            redact_pii=True,
        ),
    )
    stand_in_calls.throttle("BatchDetectSentiment", 1)  # the first sentiment call is refused

    result = published.run()

    assert result.succeeded, result.task_states
    output = read_table(str(lake / "tenants" / tenant.name / "tickets_analysed"))
    assert output.column("ticket_id").to_pylist() == [ticket for ticket, _ in TICKETS]
    rows = {row["ticket_id"]: row for row in output.to_pylist()}

    thanks = rows["t-thanks"]
    assert (thanks["language"], thanks["sentiment"], thanks["error"]) == ("en", "POSITIVE", None)
    assert (thanks["sentiment_positive"], thanks["sentiment_negative"]) == (0.85, 0.05)
    assert thanks["key_phrases"] == ["the agent", "my issue"]
    assert thanks["entities"] == [] and thanks["pii_entities"] == []
    assert thanks["message_redacted"] == TICKETS[0][1]

    pii = rows["t-pii"]
    assert pii["sentiment"] == "NEGATIVE" and pii["error"] is None
    assert pii["entities"] == [{"text": "Jane Doe", "type": "PERSON", "score": 0.9}]
    assert [(e["type"], e["begin_offset"], e["end_offset"]) for e in pii["pii_entities"]] == [
        ("NAME", 11, 19),
        ("EMAIL", 27, 43),
    ]
    assert pii["message_redacted"] == "My name is [NAME], email [EMAIL], and the refund is late."

    spanish = rows["t-es"]
    assert (spanish["language"], spanish["sentiment"], spanish["error"]) == ("es", "NEGATIVE", None)
    assert spanish["entities"] == [{"text": "Madrid", "type": "LOCATION", "score": 0.9}]

    # Bad rows keep their reason; nothing else of theirs is filled in.
    assert rows["t-empty"]["error"] == "EMPTY_TEXT: the row has no text to analyse"
    assert rows["t-long"]["error"].startswith("TEXT_TOO_LONG: 5005 bytes of UTF-8")
    assert rows["t-digits"]["error"].startswith("INVALID_REQUEST:")  # the service's ErrorList
    german = rows["t-de"]
    assert german["error"].startswith("UNSUPPORTED_LANGUAGE: DetectPiiEntities does not support")
    assert german["sentiment"] is None and german["language"] is None
    for bad in ("t-empty", "t-long", "t-digits", "t-de"):
        assert rows[bad]["message_redacted"] is None

    for i in range(30):
        filler = rows[f"t-{i:02d}"]
        assert (filler["sentiment"], filler["error"]) == ("POSITIVE", None), filler
        assert filler["key_phrases"] == ["the team"]

    # 34 texts sent for language (2 batches of ≤ 25); sentiment per language: 32 English
    # (2 batches), 1 Spanish, 1 German; the throttled call was retried, not lost.
    calls = stand_in_calls.calls
    assert calls["BatchDetectDominantLanguage"] == 2
    assert calls["BatchDetectSentiment"] == 4 + 1
    assert calls["DetectPiiEntities"] == 32 + 1  # English and Spanish rows, one call each
    sent = [
        len(body.get("TextList", []))
        for op, body in stand_in_calls.bodies
        if op.startswith("Batch")
    ]
    assert max(sent) == 25
    outputs = result.xcoms["analyse"]
    assert (outputs["rows"], outputs["failed_rows"]) == (len(TICKETS), 4)
    usage = {item["operation"]: item for item in outputs["usage"]}
    assert usage["detect_sentiment"]["requests"] == 4
    assert usage["detect_sentiment"]["retries"] == 1
    assert usage["detect_pii_entities"]["requests"] == 33
    assert usage["detect_pii_entities"]["units"] == 33 * 3  # each text under 300 characters


def test_a_tenant_without_the_aws_connection_or_with_impossible_params_gets_problems(
    design: Designer, stand_in: StandIn
) -> None:
    stranger = design.tenant()
    problems = design.problems(
        stranger, _design("no_grant", analyses=["sentiment"], language_code="en")
    )
    assert [(p["nodeId"], p["field"], p["code"]) for p in problems] == [
        ("analyse", "nodes.1.params.aws_conn_id", "NOT_GRANTED")
    ]
    assert "an admin must configure an AWS connection" in problems[0]["message"]

    granted = design.tenant(connections=(AWS_CONN_ID,))
    problems = design.problems(
        granted, _design("french_pii", analyses=["pii_entities"], language_code="fr")
    )
    assert len(problems) == 1 and problems[0]["nodeId"] == "analyse"
    assert "English and Spanish only" in problems[0]["message"]
