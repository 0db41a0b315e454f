"""``bedrock`` answers through the builder, against the Bedrock stand-in.

Most tests share one run of the shipped ``document-retrieval-aws`` template (help-centre scans
in S3 → Textract → chunks → trained embedder → index → vector query → ``bedrock``), so the
answers are grounded in a real retrieval table; the stand-in's model answers with the passage
sentence sharing most words with the question, citing its number
(tests/harness/aws_stand_ins/bedrock.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airloom_cli.demo import support
from tests.harness.aws_stand_ins.server import StandIn
from tests.harness.designs import Designer
from tests.integration.aws_nodes.bedrock.shared import (
    EXPECTED_DOCS,
    FAST,
    GROUP,
    dataset,
    land,
)
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.integration.builder.specs import node, spec
from workflow_builder_api.core.config import TEMPLATES_FOLDER
from workflow_builder_api.services.templates import load_templates

pytestmark = pytest.mark.xdist_group(GROUP)

UNPRICED = "meta.llama3-8b-instruct-v1:0"
BRACES = "what does {context} mean in {question} and {{braces}}?"
TOO_LONG = " ".join(["parcel"] * 1600)  # past the stand-in model's 1,500-word window
QUESTIONS = [
    "how do I reset my password",
    "when is my refund paid",
    "how long does express delivery take",
    BRACES,
    TOO_LONG,
]


def answers_spec(tenant: str, name: str) -> dict[str, Any]:
    """The shipped document-retrieval-aws template (scans → Textract → chunks → embedder →
    index → query → Bedrock) with these questions, a second answer node on a model Airloom
    has no price for, and the tenant's granted AWS connection in place of ``aws_default``."""
    template = load_templates(TEMPLATES_FOLDER)["document-retrieval-aws"]
    design = template.spec_for(name, tenant=tenant)
    nodes = {n["id"]: n for n in design["nodes"]}
    nodes["ask"]["params"]["questions"] = QUESTIONS
    nodes["extract"]["params"].update(aws_conn_id=AWS_CONN_ID, waiter_delay=1)
    nodes["answer"]["params"].update(aws_conn_id=AWS_CONN_ID, requests_per_minute=FAST)
    # The two nodes' calls differ by temperature, so the test can tell them apart.
    design["nodes"].append(
        node(
            "answer_unpriced",
            "bedrock",
            {
                "model_id": UNPRICED,
                "temperature": 0.5,
                "output_dataset": f"workflows/{name}/answer_unpriced",
                "aws_conn_id": AWS_CONN_ID,
                "requests_per_minute": FAST,
            },
        )
    )
    design["edges"].append({"source": "ask.table", "target": "answer_unpriced.table"})
    return design


def scan_help_centre(moto: Any, lake: Path, tenant: str) -> str:
    """The help-centre articles as scans in an S3 bucket, and the table listing them in the
    tenant's landing area, as the template expects; returns the scans' S3 location."""
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"scans-{tenant.replace('_', '-')}"
    s3.create_bucket(Bucket=bucket)
    listing = lake / "tenants" / tenant / "landing" / "help_centre_scans" / "scans.csv"
    listing.parent.mkdir(parents=True, exist_ok=True)
    lines = ["doc_id,document_uri"]
    for article in support.articles():
        key = f"help-centre/{article['doc_id']}.pdf"
        s3.put_object(Bucket=bucket, Key=key, Body=article["text"].encode())
        lines.append(f"{article['doc_id']},s3://{bucket}/{key}")
    listing.write_text("\n".join(lines) + "\n")
    return f"s3://{bucket}/help-centre/"


@pytest.fixture(scope="module")
def answered(design: Designer, stand_in: StandIn, moto: Any, lake: Path) -> dict[str, Any]:
    """One run of the answers design, its first Converse call throttled once."""
    tenant = design.tenant(connections=(AWS_CONN_ID,))
    location = scan_help_centre(moto, lake, tenant.name)
    design.grant(tenant.name, "s3", location, AWS_CONN_ID)
    name = "grounded_answers"
    published = design.publish(tenant, answers_spec(tenant.name, name))
    stand_in.reset()
    stand_in.throttle("Converse", 1)
    result = published.run()
    assert result.succeeded, result.task_states
    sent = [body for operation, body in stand_in.bodies if operation == "Converse"]
    return {
        "result": result,
        "calls": stand_in.calls["Converse"],
        "sent": sent,
        "documents": dataset(lake, tenant.name, f"workflows/{name}/documents"),
        "retrieved": dataset(lake, tenant.name, f"workflows/{name}/answers"),
        "answers": dataset(lake, tenant.name, f"workflows/{name}/generated_answers"),
        "unpriced": dataset(lake, tenant.name, f"workflows/{name}/answer_unpriced"),
    }


def test_the_scans_are_read_by_textract_before_they_are_chunked(
    answered: dict[str, Any],
) -> None:
    documents = answered["documents"]
    assert [row["doc_id"] for row in documents] == [a["doc_id"] for a in support.articles()]
    for row, article in zip(documents, support.articles(), strict=True):
        assert row["error"] is None and row["pages"] == 1
        assert row["text"] == article["text"]


def user_message(body: dict[str, Any]) -> str:
    return body["messages"][-1]["content"][0]["text"]


def haiku_calls(answered: dict[str, Any]) -> list[dict[str, Any]]:
    """The request bodies the ``answer`` node sent (its temperature is 0)."""
    return [body for body in answered["sent"] if body["inferenceConfig"]["temperature"] == 0]


def test_each_question_is_answered_from_the_chunk_it_cites(answered: dict[str, Any]) -> None:
    rows = answered["answers"]
    assert [row["question"] for row in rows] == QUESTIONS  # one row per question, in order
    chunk_text = {row["chunk_id"]: row["text"] for row in answered["retrieved"]}
    for row in rows[:3]:
        assert row["error"] is None, row
        assert row["stop_reason"] == "end_turn"
        assert len(row["citations"]) == 1, row
        (citation,) = row["citations"]
        assert citation["doc_id"] == EXPECTED_DOCS[row["question"]]
        # The answer is a sentence of the cited chunk, with the chunk's number after it.
        sentence, _, number = row["answer"].rpartition(" [")
        assert sentence and number.endswith("].")
        assert sentence in " ".join(chunk_text[citation["chunk_id"]].split())
        ranked = sorted(
            (r for r in answered["retrieved"] if r["question"] == row["question"]),
            key=lambda r: r["rank"],
        )
        assert ranked[int(number.removesuffix("].")) - 1]["chunk_id"] == citation["chunk_id"]
    sentences = {row["question"]: row["answer"].rpartition(" [")[0] for row in rows[:3]}
    assert sentences == {
        "how do I reset my password": "To reset your password open account settings, choose "
        "security and follow the reset link we email you",
        "when is my refund paid": "You will get an email when the refund is issued",
        "how long does express delivery take": "Standard delivery takes three to five days, "
        "express arrives the next working day",
    }


def test_tokens_and_cost_come_from_each_call(answered: dict[str, Any]) -> None:
    sent = {user_message(body): body for body in haiku_calls(answered)}
    for row in answered["answers"][:4]:
        body = next(b for text, b in sent.items() if text.endswith(row["question"]))
        words = len(body["system"][0]["text"].split()) + len(user_message(body).split())
        assert row["input_tokens"] == words
        assert row["output_tokens"] == len(row["answer"].split())
        expected = (row["input_tokens"] * 0.00025 + row["output_tokens"] * 0.00125) / 1000
        assert row["cost_usd"] == pytest.approx(expected)
    # A model Airloom has no price for still answers; its cost is left empty, not guessed.
    unpriced = answered["unpriced"]
    assert [row["answer"] for row in unpriced[:4]] == [r["answer"] for r in answered["answers"][:4]]
    assert all(row["cost_usd"] is None for row in unpriced)


def test_a_throttled_call_is_retried_and_usage_reported(answered: dict[str, Any]) -> None:
    # 5 questions for each of two nodes, and the one throttled call made again.
    assert answered["calls"] == 11
    usage = answered["result"].xcoms["answer"]["usage"]
    tokens_in, tokens_out = usage
    ok = answered["answers"][:4]
    assert tokens_in["unit"] == "input token" and tokens_out["unit"] == "output token"
    assert tokens_in["units"] == sum(row["input_tokens"] for row in ok)
    assert tokens_out["units"] == sum(row["output_tokens"] for row in ok)
    assert tokens_in["requests"] == 4 and tokens_in["failed_rows"] == 1
    # The throttled call was retried by whichever node made the first call.
    unpriced_in = answered["result"].xcoms["answer_unpriced"]["usage"][0]
    assert tokens_in["retries"] + unpriced_in["retries"] == 1
    assert answered["result"].xcoms["answer"]["failed_rows"] == 1


def test_a_question_too_long_for_the_model_keeps_its_error(answered: dict[str, Any]) -> None:
    row = answered["answers"][4]
    assert row["question"] == TOO_LONG
    assert row["error"] == "ValidationException: Input is too long for requested model."
    assert row["answer"] is None and row["citations"] is None and row["cost_usd"] is None


def test_braces_in_a_question_come_through_literally(answered: dict[str, Any]) -> None:
    row = answered["answers"][3]
    assert row["question"] == BRACES and row["error"] is None
    (body,) = [b for b in haiku_calls(answered) if BRACES in user_message(b)]
    message = user_message(body)
    assert message.endswith(f"Question: {BRACES}")
    # The context was filled in once, where the template put it, and nowhere in the question.
    assert message.count("[1] (") == 1 and message.index("[1] (") < message.index(BRACES)


def test_validation_names_each_problem(design: Designer) -> None:
    """A tenant without the AWS connection, a template missing a slot, a size the model does
    not make: each a problem of its node and field, before anything runs."""
    answer = node("answer", "bedrock", {"output_dataset": "answers", "aws_conn_id": AWS_CONN_ID})
    embed = node("embed", "bedrock_embed", {"output_dataset": "vectors", "dimensions": 300})
    source = node(
        "docs",
        "file_ingest",
        {"source": "lake://landing/x/*.jsonl", "format": "jsonl", "dataset": "d"},
    )
    document = spec(
        "needs_aws",
        nodes=[source, answer, embed],
        edges=[
            {"source": "docs.table", "target": "answer.table"},
            {"source": "docs.table", "target": "embed.table"},
        ],
    )
    stranger = design.tenant()  # granted nothing
    problems = {
        (p["nodeId"], p["field"].rpartition(".")[2]): p["message"]
        for p in design.problems(stranger, document)
    }
    assert "an admin must configure an AWS connection" in problems[("answer", "aws_conn_id")]
    assert "an admin must configure an AWS connection" in problems[("embed", "aws_conn_id")]

    granted = design.tenant(connections=(AWS_CONN_ID,))
    answer["params"]["prompt_template"] = "Answer {question} please"
    embed["params"]["aws_conn_id"] = AWS_CONN_ID
    found = design.problems(granted, document)
    assert {(p["nodeId"], p["field"].rpartition(".")[2]): p["message"] for p in found} == {
        ("answer", "prompt_template"): "Value error, the template must hold the slot(s) {context}",
        ("embed", "dimensions"): "Value error, amazon.titan-embed-text-v2:0 makes vectors of "
        "256, 512 or 1024 dimensions",
    }


def test_an_unknown_model_fails_its_node_and_an_empty_question_is_not_sent(
    design: Designer, stand_in: StandIn, lake: Path
) -> None:
    """Any retrieval table will do: here one landed as a file, two questions, one empty."""
    tenant = design.tenant(connections=(AWS_CONN_ID,))
    express = "Standard delivery takes three days. Express arrives the next working day."
    land(
        lake,
        tenant.name,
        "retrieved",
        [
            {
                "question": "when does express arrive",
                "rank": 2,
                "chunk_id": "c#1",
                "doc_id": "returns",
                "text": "Returns are free.",
            },
            {
                "question": "when does express arrive",
                "rank": 1,
                "chunk_id": "c#0",
                "doc_id": "delivery",
                "text": express,
            },
            {"question": "", "rank": 1, "chunk_id": "c#0", "doc_id": "delivery", "text": express},
        ],
    )
    common = {"aws_conn_id": AWS_CONN_ID, "requests_per_minute": FAST}
    document = spec(
        "answers_from_a_file",
        defaults={"retries": 0},
        nodes=[
            node(
                "retrieved",
                "file_ingest",
                {
                    "source": "lake://landing/retrieved/*.jsonl",
                    "format": "jsonl",
                    "dataset": "retrieved",
                },
            ),
            node("answer", "bedrock", {"output_dataset": "file_answers", **common}, x=200),
            node(
                "wrong_model",
                "bedrock",
                {"output_dataset": "never", "model_id": "anthropic.claude-9-v1:0", **common},
                x=200,
            ),
        ],
        edges=[
            {"source": "retrieved.table", "target": "answer.table"},
            {"source": "retrieved.table", "target": "wrong_model.table"},
        ],
    )
    published = design.publish(tenant, document)
    stand_in.reset()
    result = published.run()
    assert result.task_states["answer"] == "success"
    assert result.task_states["wrong_model"] == "failed"  # no question's fault: the node's
    # One call each: the empty question was never sent, the unknown model not asked twice.
    assert stand_in.calls["Converse"] == 2
    assert not (lake / "tenants" / tenant.name / "never").exists()  # nothing half-written

    rows = dataset(lake, tenant.name, "file_answers")
    assert [row["question"] for row in rows] == ["when does express arrive", ""]
    assert rows[0]["answer"] == "Express arrives the next working day [1]."
    assert rows[0]["citations"] == [{"chunk_id": "c#0", "doc_id": "delivery"}]
    assert rows[1]["error"] == "EMPTY: the row has no question"
    assert rows[1]["answer"] is None
