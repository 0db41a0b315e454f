"""The activity Parquet of one tenant as pyarrow datasets, which DuckDB scans in place.

pyarrow reads the lake wherever it is (a local folder, or S3 through its own S3 filesystem),
so DuckDB needs no extension (none can be downloaded here) and no fsspec filesystem: it scans
the datasets it is handed, pushing column selection and filters down to them.

Only the tenant's own folders are opened (``<kind>/tenant=<tenant>/``): another tenant's
files are never part of a connection, whatever SQL runs on it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from airloom.ingest.records import INGEST_DATE, RecordSchema
from airloom.tenancy import TENANT_PATTERN
from insights.activity.events import ACTIVITY_SCHEMA
from insights.activity.landing import activity_folder

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds


@cache
def stored_schema() -> pa.Schema:
    """The columns of every activity file: the contract's fields (the tenant is the folder's),
    the Kafka coordinates that order events, and the day a batch was landed."""
    import pyarrow as pa

    fields = [f for f in RecordSchema(ACTIVITY_SCHEMA).arrow_schema() if f.name != "tenant"]
    return pa.schema(
        [
            *fields,
            pa.field("_kafka_partition", pa.int32()),
            pa.field("_kafka_offset", pa.int64()),
            pa.field(INGEST_DATE, pa.string()),
        ]
    )


def tenant_events(activity_uri: str, kind: str, tenant: str) -> ds.Dataset | pa.Table:
    """The tenant's events of ``kind``; an empty table when it has none yet."""
    import pyarrow as pa
    import pyarrow.dataset as ds
    from pyarrow import fs

    from airloom.datasets import HIDDEN_PREFIXES

    if not TENANT_PATTERN.fullmatch(tenant):
        raise ValueError(f"{tenant!r} is not a tenant name")
    schema = stored_schema()
    uri = activity_folder(activity_uri, kind, tenant)
    filesystem, root = fs.FileSystem.from_uri(uri if "://" in uri else f"file://{uri}")
    if filesystem.get_file_info(root).type != fs.FileType.Directory:
        return schema.empty_table()
    return ds.dataset(
        root,
        filesystem=filesystem,
        format="parquet",
        schema=schema,
        partitioning=ds.partitioning(pa.schema([schema.field(INGEST_DATE)]), flavor="hive"),
        ignore_prefixes=list(HIDDEN_PREFIXES),
    )
