"""What the Bedrock tests share: rows landed in and read from a tenant's lake area, the pace
of calls, and which help-centre article answers which question."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from airloom.datasets import read_table

GROUP = "aws_nodes/bedrock"  # the modules' one xdist group: the package's fixtures
FAST = 6000  # requests per minute: the stand-in has no quota to respect
EXPECTED_DOCS = {
    "how do I reset my password": "reset-password",
    "when is my refund paid": "refund-timing",
    "how long does express delivery take": "track-delivery",
}


def land(lake: Path, tenant: str, folder: str, rows: list[dict[str, Any]]) -> None:
    """Rows as a JSON-lines file in the tenant's landing area of the lake."""
    path = lake / "tenants" / tenant / "landing" / folder / "rows.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def dataset(lake: Path, tenant: str, name: str) -> list[dict[str, Any]]:
    return read_table((lake / "tenants" / tenant / name).as_uri()).to_pylist()
