"""One tenant's activity Parquet, read by pyarrow and kept in memory for DuckDB to scan.

pyarrow reads the lake wherever it is (a local folder, or S3 through its own S3 filesystem),
so DuckDB needs no extension (none can be downloaded here) and no fsspec filesystem: it scans
the Arrow tables it is handed.

Activity files are written once under names never reused (:mod:`insights.activity.landing`),
so a file read once never needs reading again: :class:`ActivityCache` keeps each tenant's
events per kind and, on each request, reads only the files that landed since (a listing of
the tenant's folder, then the new files). A dashboard's questions scan memory, not hundreds of
small files. Only the tenant's own folders are read (``<kind>/tenant=<tenant>/``): another
tenant's events are never part of what a connection holds, whatever SQL runs on it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from airloom.ingest.records import RecordSchema
from airloom.tenancy import TENANT_PATTERN
from insights.activity.events import ACTIVITY_SCHEMA
from insights.activity.landing import activity_folder

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


TIMES = ("at", "started_at", "ended_at")  # the contract's times, sent as ISO 8601 text


@cache
def stored_schema() -> pa.Schema:
    """The columns read from every activity file: the contract's fields (the tenant is the
    folder's) and the Kafka coordinates that order events."""
    import pyarrow as pa

    fields = [f for f in RecordSchema(ACTIVITY_SCHEMA).arrow_schema() if f.name != "tenant"]
    return pa.schema(
        [*fields, pa.field("_kafka_partition", pa.int32()), pa.field("_kafka_offset", pa.int64())]
    )


@dataclass(frozen=True)
class Snapshot:
    """A tenant's events of one kind as held now. Within a ``generation`` rows are only ever
    appended, so what was derived from the first rows still holds; a new generation (the
    files were rewritten) means derive everything again."""

    table: pa.Table
    generation: int


@dataclass
class _Held:
    files: frozenset[str] = frozenset()
    table: pa.Table | None = None
    generation: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class ActivityCache:
    """Each tenant's events per kind, as read so far; see the module docstring."""

    def __init__(self, activity_uri: str, max_tenants: int = 100) -> None:
        self.activity_uri = activity_uri
        self.max_tenants = max_tenants
        # Per tenant, per kind; the tenant asked last is last, the one asked longest ago goes
        # first when more than ``max_tenants`` are held (it is read again if asked again).
        self._held: OrderedDict[str, dict[str, _Held]] = OrderedDict()
        self._lock = threading.Lock()

    def events(self, kind: str, tenant: str) -> pa.Table:
        """The tenant's events of ``kind``, including every file landed until now."""
        return self.snapshot(kind, tenant).table

    def snapshot(self, kind: str, tenant: str) -> Snapshot:
        """:meth:`events`, with the generation that says whether rows were only appended."""
        if not TENANT_PATTERN.fullmatch(tenant):
            raise ValueError(f"{tenant!r} is not a tenant name")
        with self._lock:
            kinds = self._held.setdefault(tenant, {})
            self._held.move_to_end(tenant)
            while len(self._held) > self.max_tenants:
                self._held.popitem(last=False)
            held = kinds.setdefault(kind, _Held())
        with held.lock:  # one reader per tenant and kind; the others wait for its result
            filesystem, files = self._files(kind, tenant)
            if not files.issuperset(held.files):  # files went (a rewrite): read all again
                held.files, held.table = frozenset(), None
                held.generation += 1
            new = sorted(files - held.files)
            if new or held.table is None:
                held.table = _add_unseen(held.table, _read(filesystem, new))
                held.files = files
            return Snapshot(held.table, held.generation)

    def _files(self, kind: str, tenant: str) -> tuple[object, frozenset[str]]:
        from pyarrow import fs

        from airloom.datasets import HIDDEN_PREFIXES

        uri = activity_folder(self.activity_uri, kind, tenant)
        filesystem, root = fs.FileSystem.from_uri(uri if "://" in uri else f"file://{uri}")
        selector = fs.FileSelector(root, recursive=True, allow_not_found=True)
        found = filesystem.get_file_info(selector)
        return filesystem, frozenset(
            info.path
            for info in found
            if info.type == fs.FileType.File
            and info.base_name.endswith(".parquet")
            and not info.base_name.startswith(HIDDEN_PREFIXES)
        )


def _read(filesystem: object, files: list[str]) -> pa.Table:
    import pyarrow.dataset as ds

    schema = stored_schema()
    if not files:
        return _typed(schema.empty_table())
    # By name, with the stored schema: a file from before a field existed reads it as null.
    return _typed(
        ds.dataset(files, schema=schema, format="parquet", filesystem=filesystem).to_table()
    )


def _typed(table: pa.Table) -> pa.Table:
    """``table`` with its ISO 8601 times parsed once, as they are read, rather than by every
    query: a text that is not a time reads as null, never an error (producers send text)."""
    casts = ", ".join(f'TRY_CAST("{name}" AS TIMESTAMPTZ) AS "{name}"' for name in TIMES)
    with _database().cursor() as connection:
        connection.register("events", table)
        return connection.sql(f"SELECT * REPLACE ({casts}) FROM events").to_arrow_table()


@cache
def _database() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for parsing; each parse takes its own cheap connection to it."""
    import duckdb

    database = duckdb.connect(":memory:")
    database.execute("SET GLOBAL TimeZone = 'UTC'")
    return database


def _add_unseen(held: pa.Table | None, new: pa.Table) -> pa.Table:
    """``held`` and the rows of ``new`` whose event_id is not there yet: an event sent twice
    (a producer's retry) counts once, and the first copy landed is the one kept."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if new.num_rows:
        new = new.sort_by([("_kafka_partition", "ascending"), ("_kafka_offset", "ascending")])
        first = pc.equal(
            pa.array(range(new.num_rows)),
            _first_index_per_id(new),
        )
        new = new.filter(first)
    if held is None or held.num_rows == 0:
        return new
    unseen = pc.invert(pc.is_in(new["event_id"], value_set=held["event_id"]))
    return pa.concat_tables([held, new.filter(unseen)])


def _first_index_per_id(table: pa.Table) -> pa.Array:
    """Per row, the index of the first row with its event_id."""
    import pyarrow as pa
    import pyarrow.compute as pc

    indexed = table.select(["event_id"]).append_column("i", pa.array(range(table.num_rows)))
    firsts = indexed.group_by("event_id").aggregate([("i", "min")])
    lookup = pc.index_in(table["event_id"], value_set=firsts["event_id"])
    return pc.take(firsts["i_min"], lookup)
