"""Rows from connectors (API records, SQL result rows) as Arrow tables, with clear errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa


class TableBuildError(ValueError):
    """Rows cannot become one table: says which column and why."""


def records_to_table(records: Sequence[Mapping[str, Any]], source: str) -> pa.Table:
    """JSON-like records as a table: columns are the union of every record's keys.

    Types are inferred over all records (a key missing from a record is null there); nested
    objects become struct columns and arrays list columns.
    """
    import pyarrow as pa

    if not records:
        return pa.table({})
    not_objects = [index for index, record in enumerate(records) if not isinstance(record, Mapping)]
    if not_objects:
        raise TableBuildError(
            f"{source}: record {not_objects[0]} is a {type(records[not_objects[0]]).__name__}, "
            "not a JSON object"
        )
    try:
        return pa.Table.from_struct_array(pa.array(records))
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise TableBuildError(
            f"{source}: the records' fields have conflicting types: {error}"
        ) from error


def rows_to_table(names: Sequence[str], rows: Sequence[Sequence[Any]], source: str) -> pa.Table:
    """Result rows as a table, one column per name, types inferred from the values.

    A column whose values mix types (SQLite allows that) is kept as text rather than failing.
    """
    import pyarrow as pa

    duplicated = sorted({name for name in names if list(names).count(name) > 1})
    if duplicated:
        raise TableBuildError(
            f"{source}: the result has several columns named {', '.join(duplicated)}; "
            "give each an alias"
        )
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    arrays = {}
    for name, values in zip(names, columns, strict=True):
        try:
            arrays[name] = pa.array(list(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arrays[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
    return pa.table(arrays)
