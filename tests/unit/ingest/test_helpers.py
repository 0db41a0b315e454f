"""Small rules the connectors rely on: JSON paths, SELECT checks, file sources, file names."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from airloom.ingest.file_sources import _matches, source_problem
from airloom.ingest.http_pages import dig
from airloom.ingest.naming import run_file_name
from airloom.user_sql import query_problem


def test_dig_follows_dotted_paths_through_objects_and_lists() -> None:
    page = {"data": {"items": [{"id": 1}], "pages": [{"next": "/p2"}]}}
    assert dig(page, "") is page
    assert dig(page, "data.items") == [{"id": 1}]
    assert dig(page, "data.pages.0.next") == "/p2"
    with pytest.raises(KeyError, match="rows"):
        dig(page, "data.rows")


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("SELECT * FROM orders", None),
        ("-- recent\nWITH r AS (SELECT 1 AS x) SELECT x FROM r;", None),
        ("UPDATE orders SET amount = 0", "must be a SELECT, not UPDATE"),
        ("", "must be exactly one statement, found 0"),
    ],
)
def test_only_a_single_select_is_accepted(sql: str, problem: str | None) -> None:
    assert query_problem(sql) == problem


def test_sources_must_be_absolute_or_s3_and_globs_stay_in_one_folder() -> None:
    assert source_problem("/data/sales/*.csv") is None
    assert source_problem("file:///data/sales.csv") is None
    assert source_problem("s3://bucket/sales/*.csv") is None
    assert source_problem("s3://bucket") == "s3:// needs a key"
    assert "absolute" in source_problem("sales.csv")
    assert _matches("sales/2026-11-01.csv", "sales/*.csv")
    assert not _matches("sales/archive/2025.csv", "sales/*.csv")


def test_a_run_writes_one_file_name_whatever_its_try() -> None:
    def context(try_number: int, map_index: int = -1) -> dict:
        ti = SimpleNamespace(task_id="load", map_index=map_index, try_number=try_number)
        return {"ti": ti, "run_id": "manual__2026-11-23T18:00:00+00:00"}

    first, retry = run_file_name(context(1)), run_file_name(context(2))
    assert first == retry == "run-load-manual__2026-11-23T18_00_00_00_00"
    assert run_file_name(context(1, map_index=3)).endswith("-map3")
