"""A data preview reads only the caller's tenant's area of the lake, a few rows, as JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from airloom.datasets import write_table
from workflow_builder_api.services.errors import PermissionDenied
from workflow_builder_api.services.previews import (
    MAX_TEXT,
    json_value,
    normal_uri,
    read_preview,
    tenant_dataset,
)

LAKE = "file:///srv/lake"


def test_a_reference_in_the_tenants_area_is_named_as_its_design_names_it() -> None:
    assert tenant_dataset(f"{LAKE}/tenants/acme/sales/daily", LAKE, "acme") == "sales/daily"
    assert tenant_dataset("/srv/lake/tenants/acme/orders", LAKE, "acme") == "orders"
    assert tenant_dataset("file:/srv/lake/tenants/acme/orders/", f"{LAKE}/", "acme") == "orders"
    s3 = "s3://bucket/lake"
    assert tenant_dataset("s3a://bucket/lake/tenants/acme/x", s3, "acme") == "x"
    assert tenant_dataset("s3://aws_default@bucket/lake/tenants/acme/x", s3, "acme") == "x"


@pytest.mark.parametrize(
    "reference",
    [
        f"{LAKE}/tenants/other/orders",  # another tenant's
        f"{LAKE}/tenants/acme2/orders",  # a tenant whose name starts alike
        f"{LAKE}/tenants/acme/../other/orders",  # out by traversal
        f"{LAKE}/tenants/acme",  # the area itself, not a dataset in it
        f"{LAKE}/crm/customer_events",  # the platform's
        "file:///etc/passwd",
        "s3://bucket/lake/tenants/acme/orders",  # another place that looks alike
    ],
)
def test_anything_outside_the_tenants_area_is_refused(reference: str) -> None:
    with pytest.raises(PermissionDenied):
        tenant_dataset(reference, LAKE, "acme")


def test_normal_uris() -> None:
    assert normal_uri("file:/a/b") == "file:///a/b"
    assert normal_uri("/a/b") == "file:///a/b"
    assert normal_uri("s3n://conn@bucket/k?x=1") == "s3://bucket/k"


def test_values_become_json_a_browser_reads() -> None:
    values = [
        None,
        True,
        3,
        float("nan"),
        "x" * 500,
        datetime(2026, 11, 23, 10, tzinfo=UTC),
        date(2026, 11, 23),
        Decimal("1.10"),
        b"\x00\x01",
        {"a": [1, 2]},
    ]
    shown = [json_value(value) for value in values]
    json.dumps(shown, allow_nan=False)
    assert shown[3] == "nan" and len(shown[4]) == MAX_TEXT
    assert shown[5:9] == ["2026-11-23T10:00:00+00:00", "2026-11-23", "1.10", "AAE="]


def test_a_preview_is_the_first_rows_with_every_column_and_the_count(tmp_path: Path) -> None:
    uri = (tmp_path / "tenants" / "acme" / "orders").as_uri()
    for part in range(3):
        ids = list(range(part * 40, part * 40 + 40))
        write_table(pa.table({"id": ids, "amount": [i * 1.5 for i in ids]}), uri, f"part{part}")
    preview = read_preview(uri, "orders", "table", rows=50)
    assert preview is not None
    assert [(c.name, c.type) for c in preview.columns] == [("id", "int64"), ("amount", "double")]
    assert len(preview.rows) == 50 and preview.row_count == 120
    assert all(len(row) == 2 for row in preview.rows)
    assert read_preview((tmp_path / "missing").as_uri(), "missing", "table", rows=5) is None
