"""Dataset rows published as JSON: every value type becomes plain JSON a consumer can read."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from airloom.ingest.json_rows import key_bytes, row_json


def test_rows_become_compact_json_with_iso_dates_and_no_nan() -> None:
    row = {
        "id": 1,
        "at": datetime(2026, 11, 23, 18, 0, tzinfo=UTC),
        "day": date(2026, 11, 23),
        "price": Decimal("10.05"),
        "score": float("nan"),
        "raw": b"\x00\x01",
        "tags": ["a", None],
        "nested": {"inner": float("inf")},
    }
    assert json.loads(row_json(row)) == {
        "id": 1,
        "at": "2026-11-23T18:00:00+00:00",
        "day": "2026-11-23",
        "price": "10.05",
        "score": None,
        "raw": "AAE=",
        "tags": ["a", None],
        "nested": {"inner": None},
    }


def test_keys_are_bytes_of_the_value_and_null_means_no_key() -> None:
    assert key_bytes("c-17") == b"c-17"
    assert key_bytes(17) == b"17"
    assert key_bytes(date(2026, 1, 2)) == b"2026-01-02"
    assert key_bytes(None) is None
