"""``bedrock`` and ``bedrock_embed`` through the builder, against the Bedrock stand-in.

The answers tests run the shipped ``document-retrieval-aws`` template (help-centre scans in S3
→ Textract → chunks → trained embedder → index → vector query → ``bedrock``), so the answers
are grounded in a real retrieval table; the stand-in's model answers with the passage sentence
sharing most words with the question, citing its number (tests/harness/aws_stand_ins/bedrock.py).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from airloom.datasets import read_table
from airloom.operators.failures import ERROR_KEY
from airloom_cli.demo import support
from tests.harness.airflow import task_xcom
from tests.harness.aws_stand_ins.bedrock import hashed_vector
from tests.harness.aws_stand_ins.server import StandIn
from tests.harness.designs import Designer
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.integration.builder.specs import node, spec
from workflow_builder_api.core.config import TEMPLATES_FOLDER
from workflow_builder_api.services.templates import load_templates

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
UNPRICED = "meta.llama3-8b-instruct-v1:0"
FAST = 6000  # requests per minute: the stand-in has no quota to respect
BRACES = "what does {context} mean in {question} and {{braces}}?"
TOO_LONG = " ".join(["parcel"] * 1600)  # past the stand-in model's 1,500-word window
QUESTIONS = [
    "how do I reset my password",
    "when is my refund paid",
    "how long does express delivery take",
    BRACES,
    TOO_LONG,
]
EXPECTED_DOCS = {
    "how do I reset my password": "reset-password",
    "when is my refund paid": "refund-timing",
    "how long does express delivery take": "track-delivery",
}


def land(lake: Path, tenant: str, folder: str, rows: list[dict[str, Any]]) -> None:
    """Rows as a JSON-lines file in the tenant's landing area of the lake."""
    path = lake / "tenants" / tenant / "landing" / folder / "rows.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def dataset(lake: Path, tenant: str, name: str) -> list[dict[str, Any]]:
    return read_table((lake / "tenants" / tenant / name).as_uri()).to_pylist()


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


def test_embeddings_row_by_row(design: Designer, stand_in: StandIn, lake: Path) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,))
    refund = "Refunds are paid within five business days."
    long_text = "word " * 500  # 2,500 characters: fine for Titan, too long for Cohere
    land(
        lake,
        tenant.name,
        "notes",
        [
            {"note": 1, "text": refund},
            {"note": 2, "text": ""},
            {"note": 3, "text": refund},
            {"note": 4, "text": "Express delivery arrives the next working day."},
            {"note": 5, "text": long_text},
        ],
    )
    name = "embedded_notes"
    common = {"aws_conn_id": AWS_CONN_ID, "requests_per_minute": FAST}
    document = spec(
        name,
        nodes=[
            node(
                "notes",
                "file_ingest",
                {"source": "lake://landing/notes/*.jsonl", "format": "jsonl", "dataset": "notes"},
            ),
            node(
                "titan",
                "bedrock_embed",
                {"output_dataset": "notes_titan", "dimensions": 256, **common},
                x=200,
            ),
            node(
                "cohere",
                "bedrock_embed",
                {"output_dataset": "notes_cohere", "model_id": "cohere.embed-english-v3", **common},
                x=200,
            ),
        ],
        edges=[
            {"source": "notes.table", "target": "titan.table"},
            {"source": "notes.table", "target": "cohere.table"},
        ],
    )
    published = design.publish(tenant, document)
    stand_in.reset()
    stand_in.throttle("InvokeModel", 1)
    result = published.run()
    assert result.succeeded, result.task_states
    # Titan: one call per text with text; Cohere: one batch of three; one throttled retry.
    assert stand_in.calls["InvokeModel"] == 4 + 1 + 1

    titan = sorted(dataset(lake, tenant.name, "notes_titan"), key=lambda r: r["note"])
    assert [row["note"] for row in titan] == [1, 2, 3, 4, 5]
    assert titan[1]["error"] == "EMPTY: the row has no text in 'text'"
    assert titan[1]["embedding"] is None
    for row in (titan[0], titan[2], titan[3], titan[4]):
        assert row["error"] is None and row["embedder"] == "amazon.titan-embed-text-v2:0"
        assert len(row["embedding"]) == 256
        assert math.sqrt(sum(v * v for v in row["embedding"])) == pytest.approx(1, abs=1e-5)
        assert row["embedding"] == pytest.approx(hashed_vector(row["text"], 256), abs=1e-6)
    assert titan[0]["embedding"] == titan[2]["embedding"]  # same text, same vector
    assert titan[0]["embedding"] != titan[3]["embedding"]
    assert result.xcoms["titan"]["usage"][0]["units"] == sum(
        len(row["text"].split()) for row in titan if row["error"] is None
    )

    cohere = sorted(dataset(lake, tenant.name, "notes_cohere"), key=lambda r: r["note"])
    assert [row["error"] is None for row in cohere] == [True, False, True, True, False]
    assert cohere[1]["error"].startswith("EMPTY")
    assert cohere[4]["error"] == (
        "TOO_LONG: 2500 characters in 'text': cohere.embed-english-v3 takes at most 2048"
    )
    assert all(len(row["embedding"]) == 1024 for row in cohere if row["error"] is None)
    assert {row["embedder"] for row in cohere if row["error"] is None} == {
        "cohere.embed-english-v3"
    }


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


def test_an_index_of_bedrock_embeddings_is_queried_with_the_same_bedrock_model(
    design: Designer, stand_in: StandIn, lake: Path
) -> None:
    """bedrock_embed in place of train_embedder: chunks embedded by Titan, questions embedded
    by Titan too (no registered model connected), the nearest chunk per question."""
    tenant = design.tenant(connections=(AWS_CONN_ID,))
    land(lake, tenant.name, "help_centre", support.articles())
    questions = list(EXPECTED_DOCS)
    document = spec(
        "bedrock_retrieval",
        nodes=[
            node(
                "documents",
                "file_ingest",
                {
                    "source": "lake://landing/help_centre/*.jsonl",
                    "format": "jsonl",
                    "dataset": "documents",
                },
            ),
            node(
                "chunks",
                "chunk_documents",
                {"output_dataset": "chunks", "chunk_words": 30, "overlap_words": 8},
            ),
            node(
                "embed",
                "bedrock_embed",
                {"output_dataset": "index", "dimensions": 256, "aws_conn_id": AWS_CONN_ID},
            ),
            node(
                "ask",
                "vector_query",
                {
                    "questions": questions,
                    "top_k": 1,
                    "output_dataset": "answers",
                    "aws_conn_id": AWS_CONN_ID,
                },
            ),
        ],
        edges=[
            {"source": "documents.table", "target": "chunks.table"},
            {"source": "chunks.table", "target": "embed.table"},
            {"source": "embed.table", "target": "ask.table"},
        ],
    )
    published = design.publish(tenant, document)
    stand_in.reset()
    result = published.run()
    assert result.succeeded, result.task_states
    chunks = len(dataset(lake, tenant.name, "chunks"))
    # One call per chunk to build the index, one per question to query it.
    assert stand_in.calls["InvokeModel"] == chunks + len(questions)
    best = {row["question"]: row["doc_id"] for row in dataset(lake, tenant.name, "answers")}
    assert best == EXPECTED_DOCS

    # Without the connection, an index of Bedrock embeddings cannot be queried: it says so.
    no_connection = {**document, "nodes": [dict(n) for n in document["nodes"]]}
    no_connection["nodes"][3] = node(
        "ask", "vector_query", {"questions": questions, "output_dataset": "answers"}
    )
    no_connection["metadata"] = {**document["metadata"], "name": "bedrock_retrieval_bare"}
    bare = design.publish(tenant, no_connection)
    failed = bare.run()
    assert failed.task_states["ask"] == "failed"
    error = task_xcom(bare.dag_id, failed.run_id, "ask", ERROR_KEY)
    assert error["retryable"] is False  # no retry would find a connection
    assert "aws_conn_id: the index holds Amazon Bedrock embeddings" in error["summary"]
