"""Rows in, rows out: each row's result or error, in input order, whatever the batches did."""

from __future__ import annotations

import pyarrow as pa
import pytest
from botocore.exceptions import ClientError

from airloom.aws_ai.rows import ERROR_COLUMN, RowError, aligned_table, call_in_batches


def client_error(code: str, status: int = 400) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": f"{code} said so"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "Detect")  # type: ignore[arg-type]


def test_batches_keep_input_order_and_refused_rows_are_never_sent() -> None:
    sent: list[list[str]] = []

    def call(batch: list[str]) -> list[dict[str, str]]:
        sent.append(batch)
        return [{"upper": text.upper()} for text in batch]

    texts = ["a", "", "b", "c", "", "d", "e"]
    outcomes = call_in_batches(
        texts, 2, call, skip=lambda text: RowError("EMPTY", "no text") if not text else None
    )
    assert sent == [["a", "b"], ["c", "d"], ["e"]]
    assert outcomes == [
        {"upper": "A"},
        RowError("EMPTY", "no text"),
        {"upper": "B"},
        {"upper": "C"},
        RowError("EMPTY", "no text"),
        {"upper": "D"},
        {"upper": "E"},
    ]


def test_a_refusal_that_blames_the_input_becomes_the_batchs_row_errors() -> None:
    def call(batch: list[str]) -> list[dict[str, str]]:
        if "bad" in batch:
            raise client_error("TextSizeLimitExceededException")
        return [{"ok": "yes"} for _ in batch]

    outcomes = call_in_batches(["x", "bad", "y"], 1, call)
    assert outcomes[0] == {"ok": "yes"} and outcomes[2] == {"ok": "yes"}
    assert outcomes[1] == RowError(
        "TextSizeLimitExceededException", "TextSizeLimitExceededException said so"
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),  # beyond the retries: the node fails, Airflow retries it
        ("AccessDeniedException", 400),
        ("InternalServerException", 500),
        ("ResourceNotFoundException", 400),
    ],
)
def test_failures_that_are_no_rows_fault_fail_the_node(code: str, status: int) -> None:
    def call(batch: list[str]) -> list[dict[str, str]]:
        raise client_error(code, status)

    with pytest.raises(ClientError):
        call_in_batches(["x"], 1, call)


def test_a_service_answering_the_wrong_number_of_results_fails() -> None:
    with pytest.raises(RuntimeError, match="2 results for a batch of 3"):
        call_in_batches(["a", "b", "c"], 3, lambda batch: [{}, {}])


def test_the_output_is_the_input_with_result_columns_and_errors_row_for_row() -> None:
    table = pa.table({"id": [1, 2, 3], "text": ["good", "", "bad"]})
    outcomes = [{"sentiment": "POSITIVE"}, RowError("EMPTY", "no text"), {"sentiment": "NEGATIVE"}]
    out = aligned_table(table, outcomes, {"sentiment": pa.string()})
    assert out.column_names == ["id", "text", "sentiment", ERROR_COLUMN]
    assert out.to_pylist() == [
        {"id": 1, "text": "good", "sentiment": "POSITIVE", "error": None},
        {"id": 2, "text": "", "sentiment": None, "error": "EMPTY: no text"},
        {"id": 3, "text": "bad", "sentiment": "NEGATIVE", "error": None},
    ]
    with pytest.raises(ValueError, match=r"already has column\(s\) \['text'\]"):
        aligned_table(table, outcomes, {"text": pa.string()})
