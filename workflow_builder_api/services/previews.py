"""A look at what a node of a run wrote: its output dataset's columns and first rows.

The dataset is the one the node's task published on its table output port (an XCom Airflow
keeps per run). The builder reads it from the lake itself, and only inside the caller's tenant's
area: a reference pointing anywhere else is refused, whoever wrote it. What is shown is the
dataset as it is now (a later run may have replaced it), bounded in rows, columns and text.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from airloom.catalog import PortType, node_types
from airloom.datasets import HIDDEN_PREFIXES
from airloom.tenancy import TenantScope
from servicekit.airflow_client import AirflowClient
from workflow_builder_api.services.errors import InvalidInput, PermissionDenied, UserError

MAX_ROWS = 50
MAX_COLUMNS = 100
MAX_TEXT = 200  # characters of one value


class PreviewUnavailable(UserError):
    """This builder cannot read the lake (it was not told where the lake is)."""

    code = "PREVIEW_UNAVAILABLE"


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class Preview:
    dataset: str  # its name in the tenant's area, as a design names it
    port: str
    columns: list[Column]
    rows: list[list[Any]]
    row_count: int
    more_columns: int  # columns left out past MAX_COLUMNS


def node_output(
    client: AirflowClient,
    lake_uri: str | None,
    *,
    tenant: str,
    dag_id: str,
    run_id: str,
    node_id: str,
    node_type: str | None,
    port: str | None,
    rows: int,
) -> Preview | None:
    """The preview of a node's table output in one run; None until the node has written it."""
    if not 1 <= rows <= MAX_ROWS:
        raise InvalidInput(f"rows must be between 1 and {MAX_ROWS}")
    tables = _table_ports(node_type)
    if port is None:
        if not tables:
            return None
        port = tables[0]
    elif port not in tables:
        offered = ", ".join(tables) or "none"
        raise InvalidInput(f"node {node_id!r} has no table output {port!r} (it has: {offered})")
    reference = client.xcom_value(dag_id, run_id, node_id, port)
    if not isinstance(reference, str) or not reference:
        return None
    if not lake_uri:
        raise PreviewUnavailable("data previews are off: this builder was not told the lake's URI")
    dataset = tenant_dataset(reference, lake_uri, tenant)
    return read_preview(normal_uri(reference), dataset, port, rows)


def _table_ports(node_type: str | None) -> list[str]:
    found = node_types().get(node_type or "")
    if found is None:
        return []
    return [output.name for output in found.outputs if output.type is PortType.TABLE]


def normal_uri(reference: str) -> str:
    """A dataset reference as a plain URI: ``file:///…`` or ``s3://bucket/key``."""
    if "://" not in reference:
        path = reference.removeprefix("file:")
        return f"file://{path}" if path.startswith("/") else reference
    parts = urlsplit(reference)
    scheme = "s3" if parts.scheme in {"s3a", "s3n"} else parts.scheme
    netloc = parts.netloc.rsplit("@", 1)[-1]  # an Airflow connection id, never a host
    if scheme == "file":
        return f"file://{parts.path}"
    return urlunsplit((scheme, netloc, parts.path, "", ""))


def tenant_dataset(reference: str, lake_uri: str, tenant: str) -> str:
    """The dataset's name inside ``tenant``'s area of the lake; refused anywhere else."""
    uri = normal_uri(reference)
    scope = TenantScope(tenant)
    root = normal_uri(lake_uri).rstrip("/")
    name = uri.removeprefix(f"{root}/{scope.area}/").strip("/")
    if not scope.owns_lake_uri(uri, root) or not name or name == uri.strip("/"):
        raise PermissionDenied("this node's output lies outside your tenant's area of the lake")
    return name


def read_preview(uri: str, dataset: str, port: str, rows: int) -> Preview | None:
    """The first ``rows`` rows; None when the dataset has no files (any more)."""
    import pyarrow.dataset as ds
    from pyarrow import fs

    filesystem, path = fs.FileSystem.from_uri(uri)
    if filesystem.get_file_info(path).type == fs.FileType.NotFound:
        return None
    data = ds.dataset(
        path,
        filesystem=filesystem,
        format="parquet",
        partitioning="hive",
        ignore_prefixes=list(HIDDEN_PREFIXES),
    )
    if not data.files:
        return None
    shown = data.schema.names[:MAX_COLUMNS]
    head = data.head(rows, columns=shown)
    return Preview(
        dataset=dataset,
        port=port,
        columns=[Column(field.name, str(field.type)) for field in head.schema],
        rows=[[json_value(value) for value in row.values()] for row in head.to_pylist()],
        row_count=data.count_rows(),
        more_columns=len(data.schema.names) - len(shown),
    )


def json_value(value: Any) -> Any:
    """A cell as JSON a browser reads as it is meant: dates as ISO text, long text clipped."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else f"{value[: MAX_TEXT - 1]}…"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        shown = base64.b64encode(value[:MAX_TEXT]).decode()
        return shown if len(value) <= MAX_TEXT else f"{shown}… ({len(value)} bytes)"
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value[:MAX_ROWS]]
    if isinstance(value, Decimal | timedelta):
        return str(value)
    return json_value(str(value))
