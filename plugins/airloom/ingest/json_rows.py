"""Dataset rows as JSON messages: every Arrow value type mapped to plain JSON."""

from __future__ import annotations

import base64
import json
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # JSON has no NaN or infinity
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)  # exact, where a float would round
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def row_json(row: dict[str, Any]) -> bytes:
    """One row as compact UTF-8 JSON: timestamps and dates in ISO 8601, bytes in base64,
    decimals as strings, NaN as null."""
    return json.dumps(
        {key: _plain(value) for key, value in row.items()},
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode()


def key_bytes(value: Any) -> bytes | None:
    """A message key from a column value; a null value makes a message without a key."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    plain = _plain(value)
    return (plain if isinstance(plain, str) else json.dumps(plain)).encode()
