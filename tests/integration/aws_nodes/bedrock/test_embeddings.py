"""``bedrock_embed`` through the builder, against the Bedrock stand-in: vectors row by row
(Titan) and in batches (Cohere), each row's own error, and an index of Bedrock embeddings
queried with the same model."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from airloom.operators.failures import ERROR_KEY
from airloom_cli.demo import support
from tests.harness.airflow import task_xcom
from tests.harness.aws_stand_ins.bedrock import hashed_vector
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

pytestmark = pytest.mark.xdist_group(GROUP)


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
