"""Pure parts of the comprehend node: PII masking and async results aligned to rows."""

from __future__ import annotations

import io
import json
import tarfile

from airloom.aws_ai.comprehend import READERS, redact
from airloom.aws_ai.comprehend_job_output import outcomes_by_line, output_lines
from airloom.aws_ai.comprehend_jobs import document_lines
from airloom.aws_ai.rows import RowError


def _span(kind: str, begin: int, end: int) -> dict:
    return {"type": kind, "begin_offset": begin, "end_offset": end, "score": 0.99}


def test_each_pii_span_becomes_its_type_in_brackets_in_any_order() -> None:
    text = "Mail ana@example.com or call 555 0100, Ana."
    spans = [_span("PHONE", 29, 37), _span("EMAIL", 5, 20), _span("NAME", 39, 42)]
    assert redact(text, spans) == "Mail [EMAIL] or call [PHONE], [NAME]."


def test_overlapping_spans_are_masked_once_and_no_span_leaves_the_text_as_is() -> None:
    text = "Card 4111 1111 1111 1111 now"
    spans = [_span("CREDIT_DEBIT_NUMBER", 5, 24), _span("PHONE", 10, 24)]
    assert redact(text, spans) == "Card [CREDIT_DEBIT_NUMBER] now"
    assert redact("nothing here", []) == "nothing here"
    # Offsets count characters, not bytes: text before the span may be any script.
    assert redact("Señor José: jo@x.io", [_span("EMAIL", 12, 19)]) == "Señor José: [EMAIL]"


def test_a_line_break_inside_a_text_is_staged_as_a_space_so_offsets_stay_true() -> None:
    staged = document_lines(["one\ntwo", "três\r\nquatro"]).decode("utf-8")
    assert staged == "one two\ntrês  quatro\n"
    assert [len(line) for line in staged.splitlines()] == [7, 12]


def _tar_gz(payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("output")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def test_job_output_lines_come_back_to_their_documents_by_line_number() -> None:
    lines = [
        {"File": "documents.txt", "Line": 2, "Sentiment": "NEGATIVE",
         "SentimentScore": {"Positive": 0.1, "Negative": 0.8, "Neutral": 0.05, "Mixed": 0.05}},
        {"File": "documents.txt", "Line": 0, "ErrorCode": "INVALID_REQUEST",
         "ErrorMessage": "no text"},
    ]  # fmt: skip
    archive = _tar_gz("".join(json.dumps(line) + "\n" for line in lines).encode())
    found = outcomes_by_line(
        output_lines([("out/output.tar.gz", archive)]), 3, READERS["BatchDetectSentiment"], "s"
    )
    assert found[0] == RowError("INVALID_REQUEST", "no text")
    assert found[1] == RowError("NO_RESULT", "the s job's output has no line for this row")
    assert isinstance(found[2], dict)
    assert (found[2]["sentiment"], found[2]["sentiment_negative"]) == ("NEGATIVE", 0.8)


def test_pii_output_files_are_read_as_they_are() -> None:
    line = {"File": "documents.txt", "Line": 0, "Entities": [
        {"Type": "EMAIL", "BeginOffset": 3, "EndOffset": 9, "Score": 0.9}]}  # fmt: skip
    (found,) = outcomes_by_line(
        output_lines([("documents.txt.out", json.dumps(line).encode())]),
        1,
        READERS["DetectPiiEntities"],
        "pii_entities",
    )
    assert found == {
        "pii_entities": [{"type": "EMAIL", "begin_offset": 3, "end_offset": 9, "score": 0.9}]
    }
