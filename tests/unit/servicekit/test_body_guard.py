"""How deep a JSON body nests, counted without recursion: strings do not count, any depth can
be measured, and a body need not even be valid JSON to be measured."""

from __future__ import annotations

import json

import pytest

from servicekit.body_guard import is_json, json_depth


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"", 0),
        (b"42", 0),
        (b'"text"', 0),
        (b"[]", 1),
        (b'{"a": [1, {"b": [2]}]}', 4),
        (b"[[1], [2], [[3]]]", 3),
    ],
)
def test_the_depth_of_a_json_document(body: bytes, depth: int) -> None:
    assert json_depth(body) == depth == _parsed_depth(body)


def test_brackets_inside_strings_do_not_count_escaped_quotes_included() -> None:
    body = json.dumps({"sql": "SELECT '[[[{{{' AS x", "quote": 'he said "[[[" \\ ]]]'}).encode()

    assert json_depth(body) == 1


def test_any_depth_is_measured_without_recursion() -> None:
    body = b"[" * 1_000_000 + b"]" * 1_000_000

    assert json_depth(body) == 1_000_000


def test_an_unterminated_string_counts_only_what_comes_before_it() -> None:
    assert json_depth(b'[[["never closed ]]]]]]]') == 3


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("application/vnd.api+json", True),
        (None, True),  # scoring routes read a body without a type as JSON
        ("text/csv", False),
        ("application/x-parquet", False),
    ],
)
def test_which_bodies_are_measured(content_type: str | None, expected: bool) -> None:
    assert is_json(content_type) is expected


def _parsed_depth(body: bytes) -> int:
    def depth(value: object) -> int:
        if isinstance(value, dict):
            return 1 + max(map(depth, value.values()), default=0)
        if isinstance(value, list):
            return 1 + max(map(depth, value), default=0)
        return 0

    return depth(json.loads(body)) if body else 0
