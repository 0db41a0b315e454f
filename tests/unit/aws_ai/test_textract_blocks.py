"""Textract's Block graph read into text, form fields and tables, as real answers shape it:
words shared between lines, keys and cells; a merged cell; a page with no text."""

from __future__ import annotations

from typing import Any

from airloom.aws_ai.textract_blocks import extract


def block(kind: str, block_id: str, page: int = 1, **fields: Any) -> dict[str, Any]:
    return {"BlockType": kind, "Id": block_id, "Page": page, **fields}


def child(*ids: str) -> list[dict[str, Any]]:
    return [{"Type": "CHILD", "Ids": list(ids)}]


def word(block_id: str, text: str, page: int = 1) -> dict[str, Any]:
    return block("WORD", block_id, page, Text=text)


def test_lines_fields_and_tables_of_a_two_page_document() -> None:
    blocks = [
        block("PAGE", "p1", Relationships=child("l1", "l2")),
        block("LINE", "l1", Text="Name: Ana Silva", Relationships=child("w1", "w2", "w3")),
        word("w1", "Name:"),
        word("w2", "Ana"),
        word("w3", "Silva"),
        block("LINE", "l2", Text="Qty Item", Relationships=child("w4", "w5")),
        word("w4", "Qty"),
        word("w5", "Item"),
        block(
            "KEY_VALUE_SET",
            "k1",
            EntityTypes=["KEY"],
            Relationships=[{"Type": "VALUE", "Ids": ["v1"]}, *child("w1")],
        ),
        block("KEY_VALUE_SET", "v1", EntityTypes=["VALUE"], Relationships=child("w2", "w3")),
        block("TABLE", "t1", Relationships=child("c1", "c2", "c3", "c4", "m1")),
        block("CELL", "c1", RowIndex=1, ColumnIndex=1, Relationships=child("w4")),
        block("CELL", "c2", RowIndex=1, ColumnIndex=2, Relationships=child("w5")),
        block("CELL", "c3", RowIndex=2, ColumnIndex=1),  # an empty cell has no children
        block("CELL", "c4", RowIndex=2, ColumnIndex=2),
        block("MERGED_CELL", "m1", RowIndex=1, ColumnIndex=1, Relationships=child("c1", "c2")),
        block("PAGE", "p2", page=2),  # a blank page: still counted, with no lines
        block("PAGE", "p3", page=3, Relationships=child("l3")),
        block("LINE", "l3", page=3, Text="Thanks", Relationships=child("w6")),
        word("w6", "Thanks", page=3),
    ]

    extracted = extract(blocks, pages=3)

    assert extracted.text == "Name: Ana Silva\nQty Item\f\fThanks"
    assert extracted.pages == 3
    assert extracted.forms == [{"key": "Name", "value": "Ana Silva"}]
    assert extracted.tables == [[["Qty", "Item"], ["", ""]]]


def test_without_a_page_count_pages_are_counted_from_the_page_blocks() -> None:
    blocks = [
        block("PAGE", "p1"),
        block("LINE", "l1", Text="only line"),
        block("PAGE", "p2", page=2),
    ]
    assert extract(blocks).pages == 2
    assert extract(blocks).text == "only line\f"
    assert extract([]).as_row() == {"text": "", "pages": 0, "forms": [], "tables": []}


def test_a_key_without_a_value_block_reads_an_empty_value() -> None:
    blocks = [
        block("KEY_VALUE_SET", "k1", EntityTypes=["KEY"], Relationships=child("w1")),
        word("w1", "Signature:"),
    ]
    assert extract(blocks).forms == [{"key": "Signature", "value": ""}]
