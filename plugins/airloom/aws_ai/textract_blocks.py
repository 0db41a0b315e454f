"""Textract's Block graph → a document's text, form fields and tables.

Textract answers with a flat list of blocks linked by id (``Relationships``): ``PAGE`` →
``LINE`` → ``WORD``; a ``KEY_VALUE_SET`` ``KEY`` block whose ``VALUE`` relationship names the
``VALUE`` block, each with ``CHILD`` words; a ``TABLE`` whose ``CHILD`` cells carry their
``RowIndex``/``ColumnIndex`` and ``CHILD`` words. This module walks that graph once per
document, the same for the synchronous answers and the pages of an asynchronous job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PAGE_BREAK = "\f"


@dataclass(frozen=True)
class Extracted:
    """What one document holds.

    :param text: its lines in reading order, joined by newlines; pages joined by form feeds.
    :param forms: key → value pairs in document order (a key may repeat; keys lose a trailing
        colon, as "Total:" and "Total" name the same field).
    :param tables: each table as rows of cell strings (empty string for an empty cell).
    """

    text: str
    pages: int
    forms: list[dict[str, str]]
    tables: list[list[list[str]]]

    def as_row(self) -> dict[str, Any]:
        return {"text": self.text, "pages": self.pages, "forms": self.forms, "tables": self.tables}


def _children(block: Mapping[str, Any], kind: str = "CHILD") -> list[str]:
    return [
        child
        for relationship in block.get("Relationships") or []
        if relationship.get("Type") == kind
        for child in relationship.get("Ids") or []
    ]


def _words(block: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> str:
    texts = [
        by_id[child].get("Text", "")
        for child in _children(block)
        if child in by_id and by_id[child].get("BlockType") == "WORD"
    ]
    return " ".join(text for text in texts if text)


def extract(blocks: Iterable[Mapping[str, Any]], pages: int | None = None) -> Extracted:
    """A document's content from all its blocks (every result page of a job, in order).

    :param pages: the page count Textract reported (``DocumentMetadata.Pages``); counted from
        the ``PAGE`` blocks when absent.
    """
    ordered = list(blocks)
    by_id = {block["Id"]: block for block in ordered if "Id" in block}
    lines: dict[int, list[str]] = {}
    forms: list[dict[str, str]] = []
    tables: list[list[list[str]]] = []
    page_count = 0
    for block in ordered:
        kind = block.get("BlockType")
        if kind == "PAGE":
            page_count += 1
        elif kind == "LINE":
            lines.setdefault(int(block.get("Page") or 1), []).append(block.get("Text", ""))
        elif kind == "KEY_VALUE_SET" and "KEY" in (block.get("EntityTypes") or []):
            values = [by_id[i] for i in _children(block, "VALUE") if i in by_id]
            key = _words(block, by_id).strip().removesuffix(":").strip()
            value = " ".join(_words(v, by_id) for v in values).strip()
            forms.append({"key": key, "value": value})
        elif kind == "TABLE":
            tables.append(_table(block, by_id))
    total = pages if pages is not None else max(page_count, max(lines, default=0))
    text = PAGE_BREAK.join("\n".join(lines.get(page, [])) for page in range(1, total + 1))
    return Extracted(text=text, pages=total, forms=forms, tables=tables)


def _table(table: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    cells = [by_id[i] for i in _children(table) if i in by_id]
    cells = [cell for cell in cells if cell.get("BlockType") in ("CELL", "MERGED_CELL")]
    rows = max((int(cell.get("RowIndex") or 1) for cell in cells), default=0)
    columns = max((int(cell.get("ColumnIndex") or 1) for cell in cells), default=0)
    grid = [["" for _ in range(columns)] for _ in range(rows)]
    for cell in cells:
        if cell.get("BlockType") == "CELL":
            row, column = int(cell.get("RowIndex") or 1), int(cell.get("ColumnIndex") or 1)
            grid[row - 1][column - 1] = _words(cell, by_id)
    return grid
