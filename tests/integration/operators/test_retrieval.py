"""Document retrieval end to end: chunk, train an embedder in MLflow, index, query."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from airflow.sdk import DAG
from mlflow import MlflowClient

from airloom.catalog import NodeConfigError
from airloom.datasets import read_table, write_table
from airloom.operators.retrieval import (
    BuildVectorIndexOperator,
    ChunkDocumentsOperator,
    QueryVectorIndexOperator,
    TrainEmbedderOperator,
)
from tests.harness.airflow import run_dag_object

DOCUMENTS = {
    "password": "To reset your password open the account settings page, choose security, "
    "and follow the reset password link we email to you. The link expires after one hour.",
    "refunds": "Refunds are paid to the original card within five business days once the "
    "returned parcel reaches our warehouse and passes inspection by the returns team.",
    "shipping": "Standard shipping takes three to five days; express shipping arrives next day "
    "when you order before noon. Tracking numbers are sent by text message.",
    "invoices": "Invoices for business accounts are issued monthly and can be downloaded as PDF "
    "files from the billing section, including VAT numbers and purchase order references.",
}


@pytest.fixture
def documents(lake: Path) -> str:
    uri = (lake / "support" / "articles").as_uri()
    write_table(pa.table({"doc_id": list(DOCUMENTS), "text": list(DOCUMENTS.values())}), uri, "a")
    return uri


def test_questions_find_the_chunk_that_answers_them(
    airflow_db, airloom_connections, mlflow, lake: Path, documents: str
) -> None:
    with DAG("retrieval_test", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        chunks = ChunkDocumentsOperator(
            task_id="chunk",
            inputs={"table": documents},
            output_dataset="support/chunks",
            chunk_words=12,
            overlap_words=4,
        )
        embedder = TrainEmbedderOperator(
            task_id="embedder",
            inputs={"table": chunks.port("table")},
            registered_model_name="support_embedder",
            dimensions=16,
        )
        index = BuildVectorIndexOperator(
            task_id="index",
            inputs={"table": chunks.port("table"), "model": embedder.port("model")},
            output_dataset="support/index",
        )
        QueryVectorIndexOperator(
            task_id="ask",
            inputs={"table": index.port("table"), "model": embedder.port("model")},
            questions=["how do I reset my password", "when will my refund be paid"],
            top_k=2,
            output_dataset="support/answers",
        )
    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    answers = read_table((lake / "support" / "answers").as_uri()).to_pylist()
    best = {row["question"]: row for row in answers if row["rank"] == 1}
    assert best["how do I reset my password"]["doc_id"] == "password"
    assert best["when will my refund be paid"]["doc_id"] == "refunds"
    assert all(-1.0 <= row["score"] <= 1.0 for row in answers)

    model_ref = result.xcoms["embedder"]["model"]
    name, version = model_ref.removeprefix("models:/").split("/")
    registered = MlflowClient(mlflow.url).get_model_version(name, version)
    assert registered.tags["airloom.dataset"].endswith("support/chunks")
    index_rows = read_table((lake / "support" / "index").as_uri()).to_pylist()
    assert {row["embedder"] for row in index_rows} == {model_ref}
    assert len(index_rows[0]["embedding"]) <= 16


def test_overlap_must_be_smaller_than_a_chunk() -> None:
    with DAG("bad_chunks", schedule=None), pytest.raises(NodeConfigError) as error:
        ChunkDocumentsOperator(
            task_id="chunk",
            inputs={"table": "file:///x"},
            output_dataset="x",
            chunk_words=10,
            overlap_words=5000,
        )
    assert error.value.problems[0].field == "overlap_words"
