"""Amazon Textract's JSON protocol (``Textract.*``), answering from the document's own text.

moto implements Textract only with canned answers that ignore the document, so row-by-row
tests need this stand-in. It reads the S3 object named in the request from moto (through
:meth:`StandIn.read_object`) and "OCRs" it deterministically:

- the document is UTF-8 text; form feeds (``\\f``) separate its pages. Anything that does not
  decode as UTF-8 is not a document Textract supports: the synchronous operations answer
  ``UnsupportedDocumentException``; an asynchronous job ends ``FAILED`` with the status
  message ``"Request has unsupported document format"``. A missing object or bucket answers
  ``InvalidS3ObjectException``.
- every non-empty line becomes a ``LINE`` block whose ``CHILD`` relationship lists one
  ``WORD`` block per whitespace-separated word; each page is a ``PAGE`` block whose children
  are its lines. Every block carries its ``Page`` and a ``Confidence`` of 99.
- with ``FORMS``: a line holding a word that ends with ``:`` (``Invoice number: INV-7``)
  becomes a pair of ``KEY_VALUE_SET`` blocks: the ``KEY`` (children: the words up to and with
  that colon; a ``VALUE`` relationship to the other block) and the ``VALUE`` (children: the
  remaining words, none for an empty value).
- with ``TABLES``: consecutive lines holding ``|`` form one ``TABLE``; each line is a row and
  each ``|``-separated cell a ``CELL`` block with ``RowIndex``/``ColumnIndex`` (from 1) whose
  children are the cell's words (the line's own words, as real Textract shares them).

Limits enforced as the service documents them: the synchronous operations take single-page
documents of at most 10 MB (``UnsupportedDocumentException`` for more pages,
``DocumentTooLargeException`` for more bytes), asynchronous jobs at most 3,000 pages and
500 MB; ``AnalyzeDocument``/``StartDocumentAnalysis`` need ``FeatureTypes``
(``InvalidParameterException``). An asynchronous job answers ``IN_PROGRESS`` to its first
``Get…`` and then its outcome; results come in pages of ``MaxResults`` blocks (at most and by
default 1,000) linked by ``NextToken``. An unknown job answers ``InvalidJobIdException``.
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.harness.aws_stand_ins.server import AwsError, StandIn

SYNC_MAX_BYTES = 10 * 1024 * 1024
ASYNC_MAX_BYTES = 500 * 1024 * 1024
ASYNC_MAX_PAGES = 3000
MAX_RESULTS = 1000
FEATURES = {"TABLES", "FORMS", "QUERIES", "SIGNATURES", "LAYOUT"}
UNSUPPORTED = "Request has unsupported document format"
_job_numbers = itertools.count(1)


def _read_pages(stand_in: StandIn, location: Any, max_bytes: int) -> list[str] | None:
    """The document's pages, or None when it is not UTF-8 text (an unsupported format)."""
    s3 = (location or {}).get("S3Object") or {}
    bucket, key = s3.get("Bucket"), s3.get("Name")
    if not bucket or not key:
        raise AwsError("InvalidParameterException", "Request has invalid parameters")
    data = stand_in.read_object(bucket, key, missing="InvalidS3ObjectException")
    if len(data) > max_bytes:
        raise AwsError("DocumentTooLargeException", "S3 object size is more than the limit")
    try:
        return data.decode("utf-8").split("\f")
    except UnicodeDecodeError:
        return None


def _features(body: dict[str, Any]) -> set[str]:
    features = body.get("FeatureTypes")
    if not features or not set(features) <= FEATURES:
        raise AwsError("InvalidParameterException", "Request has invalid parameters")
    return set(features)


class _Blocks:
    """Builds the Block graph of one document."""

    def __init__(self, prefix: str, features: set[str]) -> None:
        self.prefix, self.features = prefix, features
        self.blocks: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def add(self, block_type: str, page: int, **fields: Any) -> dict[str, Any]:
        block = {
            "BlockType": block_type,
            "Id": f"{self.prefix}-{next(self._ids)}",
            "Page": page,
            "Confidence": 99.0,
            **fields,
        }
        self.blocks.append(block)
        return block

    def words(self, page: int, texts: list[str]) -> list[str]:
        return [self.add("WORD", page, Text=text, TextType="PRINTED")["Id"] for text in texts]

    def page(self, number: int, text: str) -> None:
        page = self.add("PAGE", number)
        children: list[str] = []
        table: list[list[list[str]]] = []  # the current table: rows of cells of word ids
        for line in text.split("\n"):
            if not line.strip():
                self._table(number, table)
                table = []
                continue
            if "|" in line:
                cells = [cell.split() for cell in line.strip().strip("|").split("|")]
                cell_ids = [self.words(number, cell) for cell in cells]
                word_ids = [word for cell in cell_ids for word in cell]
                table.append(cell_ids)
            else:
                self._table(number, table)
                table = []
                word_ids = self.words(number, line.split())
                self._form(number, line.split(), word_ids)
            children.append(self._line(number, line, word_ids))
        self._table(number, table)
        page["Relationships"] = [{"Type": "CHILD", "Ids": children}]

    def _line(self, page: int, text: str, word_ids: list[str]) -> str:
        relationships = [{"Type": "CHILD", "Ids": word_ids}] if word_ids else []
        return self.add("LINE", page, Text=" ".join(text.split()), Relationships=relationships)[
            "Id"
        ]

    def _form(self, page: int, words: list[str], word_ids: list[str]) -> None:
        if "FORMS" not in self.features:
            return
        colon = next((i for i, word in enumerate(words) if word.endswith(":")), None)
        if colon is None:
            return
        value_ids = word_ids[colon + 1 :]
        value = self.add(
            "KEY_VALUE_SET",
            page,
            EntityTypes=["VALUE"],
            Relationships=[{"Type": "CHILD", "Ids": value_ids}] if value_ids else [],
        )
        self.add(
            "KEY_VALUE_SET",
            page,
            EntityTypes=["KEY"],
            Relationships=[
                {"Type": "VALUE", "Ids": [value["Id"]]},
                {"Type": "CHILD", "Ids": word_ids[: colon + 1]},
            ],
        )

    def _table(self, page: int, rows: list[list[list[str]]]) -> None:
        if "TABLES" not in self.features or not rows:
            return
        cells = []
        for row, cell_ids in enumerate(rows, start=1):
            for column, word_ids in enumerate(cell_ids, start=1):
                cell = self.add(
                    "CELL",
                    page,
                    RowIndex=row,
                    ColumnIndex=column,
                    RowSpan=1,
                    ColumnSpan=1,
                    Relationships=[{"Type": "CHILD", "Ids": word_ids}] if word_ids else [],
                )
                cells.append(cell["Id"])
        self.add("TABLE", page, Relationships=[{"Type": "CHILD", "Ids": cells}])


def _blocks(prefix: str, pages: list[str], features: set[str]) -> list[dict[str, Any]]:
    built = _Blocks(prefix, features)
    for number, text in enumerate(pages, start=1):
        built.page(number, text)
    return built.blocks


def _analyze(stand_in: StandIn, body: dict[str, Any], features: set[str]) -> dict[str, Any]:
    pages = _read_pages(stand_in, body.get("Document"), SYNC_MAX_BYTES)
    if pages is None:
        raise AwsError("UnsupportedDocumentException", UNSUPPORTED)
    if len(pages) > 1:
        raise AwsError(
            "UnsupportedDocumentException",
            "Synchronous operations take single-page documents; use the asynchronous ones",
        )
    return {"DocumentMetadata": {"Pages": 1}, "Blocks": _blocks("sync", pages, features)}


def analyze_document(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    return _analyze(stand_in, body, _features(body))


def detect_document_text(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    return _analyze(stand_in, body, set())


def _start(stand_in: StandIn, body: dict[str, Any], kind: str, features: set[str]) -> Any:
    pages = _read_pages(stand_in, body.get("DocumentLocation"), ASYNC_MAX_BYTES)
    if pages is not None and len(pages) > ASYNC_MAX_PAGES:
        raise AwsError("InvalidParameterException", "the document has more than 3000 pages")
    job_id = f"textract-job-{next(_job_numbers):05d}"
    jobs = stand_in.state.setdefault("textract_jobs", {})
    jobs[job_id] = {
        "kind": kind,
        "polls": 0,
        "pages": len(pages or []),
        "blocks": None if pages is None else _blocks(job_id, pages, features),
    }
    return {"JobId": job_id}


def start_document_analysis(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    return _start(stand_in, body, "analysis", _features(body))


def start_document_text_detection(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    return _start(stand_in, body, "text", set())


def _get(stand_in: StandIn, body: dict[str, Any], kind: str) -> dict[str, Any]:
    job = stand_in.state.get("textract_jobs", {}).get(body.get("JobId"))
    if job is None or job["kind"] != kind:
        raise AwsError("InvalidJobIdException", f"no job {body.get('JobId')}")
    job["polls"] += 1
    if job["polls"] == 1:
        return {"JobStatus": "IN_PROGRESS"}
    if job["blocks"] is None:
        return {"JobStatus": "FAILED", "StatusMessage": UNSUPPORTED}
    size = int(body.get("MaxResults") or MAX_RESULTS)
    if size < 1:
        raise AwsError("InvalidParameterException", "MaxResults must be at least 1")
    start = int(body.get("NextToken") or 0)
    end = start + min(size, MAX_RESULTS)
    answer = {
        "JobStatus": "SUCCEEDED",
        "DocumentMetadata": {"Pages": job["pages"]},
        "Blocks": job["blocks"][start:end],
    }
    if end < len(job["blocks"]):
        answer["NextToken"] = str(end)
    return answer


def get_document_analysis(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    return _get(stand_in, body, "analysis")


def get_document_text_detection(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    return _get(stand_in, body, "text")


TARGETS = {
    "Textract.AnalyzeDocument": analyze_document,
    "Textract.DetectDocumentText": detect_document_text,
    "Textract.StartDocumentAnalysis": start_document_analysis,
    "Textract.StartDocumentTextDetection": start_document_text_detection,
    "Textract.GetDocumentAnalysis": get_document_analysis,
    "Textract.GetDocumentTextDetection": get_document_text_detection,
}
