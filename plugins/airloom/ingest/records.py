"""Record values checked against a JSON Schema and turned into typed Arrow columns.

The schema's ``properties`` become the dataset's columns, typed from their JSON types, so every
batch writes the same Parquet schema whatever subset of optional fields it happens to carry.
Objects, arrays and properties of mixed or unstated type are kept as JSON text. Properties a
record has but the schema does not declare are not stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

# Columns Airloom adds to every ingested row; a record schema may not declare them.
KAFKA_COLUMNS = (
    "_kafka_topic",
    "_kafka_topic_id",
    "_kafka_partition",
    "_kafka_offset",
    "_kafka_timestamp",
)
INGEST_DATE = "ingest_date"
MAX_REASONS = 5  # a reason lists this many schema violations at most


class RecordSchemaError(ValueError):
    """The record schema itself is unusable (not JSON Schema, or no columns to store)."""


def json_path(parts: Sequence[str | int]) -> str:
    """``["items", 0, "sku"]`` as ``$.items[0].sku``: where in a record a problem is."""
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def schema_problems(schema: Any) -> list[str]:
    """Why ``schema`` cannot serve as a record schema; empty when it can."""
    import jsonschema_rs

    if not isinstance(schema, Mapping):
        return ["must be a JSON Schema object"]
    try:
        jsonschema_rs.meta.validate(dict(schema))
    except jsonschema_rs.ValidationError as error:
        return [f"not a valid JSON Schema at {json_path(error.instance_path)}: {error.message}"]
    except jsonschema_rs.ReferencingError as error:
        return [f"not a usable JSON Schema: {error}"]
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return ["must declare 'properties': they become the dataset's columns"]
    reserved = sorted(
        name for name in properties if name in KAFKA_COLUMNS or name in (INGEST_DATE, "_reason")
    )
    if reserved:
        return [f"declares {', '.join(reserved)}, which Airloom adds to every row itself"]
    return []


@dataclass(frozen=True)
class Column:
    name: str
    json_types: tuple[str, ...]  # non-null JSON types the schema allows; empty when unstated
    as_json_text: bool  # objects, arrays and mixed types are stored as JSON text

    def arrow_type(self) -> pa.DataType:
        import pyarrow as pa

        if self.as_json_text:
            return pa.string()
        return {
            ("integer",): pa.int64(),
            ("number",): pa.float64(),
            ("integer", "number"): pa.float64(),
            ("boolean",): pa.bool_(),
            ("string",): pa.string(),
        }[self.json_types]


_SCALAR_TYPES = {("integer",), ("number",), ("integer", "number"), ("boolean",), ("string",)}


_JSON_TYPE_OF = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _column(name: str, spec: Any) -> Column:
    spec = spec if isinstance(spec, Mapping) else {}
    declared = spec.get("type")
    if isinstance(declared, str):
        declared = [declared]
    if declared is None:  # an enum or const says the type through its values
        allowed = spec["enum"] if isinstance(spec.get("enum"), list) else []
        allowed = allowed + ([spec["const"]] if "const" in spec else [])
        declared = [
            _JSON_TYPE_OF.get(type(value), "other") for value in allowed if value is not None
        ]
    json_types = tuple(sorted({t for t in declared or () if t != "null"}))
    return Column(name, json_types, as_json_text=json_types not in _SCALAR_TYPES)


def _json_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class RecordSchema:
    """A compiled record schema: checks values and builds Arrow columns from valid ones.

    :param schema: a JSON Schema (any draft from 4 to 2020-12) whose ``properties`` name the
        columns.
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        import jsonschema_rs
        import msgspec

        problems = schema_problems(schema)
        if problems:
            raise RecordSchemaError(f"record_schema {problems[0]}")
        self._decode = msgspec.json.Decoder().decode  # ~8x faster than json.loads per record
        self._validator = jsonschema_rs.validator_for(dict(schema))
        self.columns = tuple(_column(name, spec) for name, spec in schema["properties"].items())

    def check(self, value: bytes | None) -> tuple[dict[str, Any] | None, str | None]:
        """``(record, None)`` for a valid value, ``(None, reason)`` for a malformed one."""
        (checked,) = self.check_many([value])
        return (checked, None) if isinstance(checked, dict) else (None, checked)

    def check_many(self, values: Iterable[bytes | None]) -> list[dict[str, Any] | str]:
        """Per value, its record if valid, else the reason it is malformed (a ``str``).

        One loop without a function call per value: this runs for every record ingested.
        """
        decode, is_valid = self._decode, self._validator.is_valid
        checked: list[dict[str, Any] | str] = []
        append = checked.append
        for value in values:
            try:
                record = decode(value)
            except (ValueError, TypeError):  # msgspec's errors are ValueErrors; None is a TypeError
                append(self._unreadable(value))
                continue
            if type(record) is dict and is_valid(record):
                append(record)
            else:
                append(self._explain(record))
        return checked

    def _unreadable(self, value: bytes | None) -> str:
        if value is None:
            return "no value (a tombstone record)"
        try:
            self._decode(value)
        except ValueError as error:
            return f"not JSON: {error}"
        return "not JSON"

    def _explain(self, record: Any) -> str:
        if not isinstance(record, dict):
            return f"not a JSON object: a JSON {type(record).__name__}"
        errors = islice(self._validator.iter_errors(record), MAX_REASONS)
        return "schema: " + "; ".join(
            f"{json_path(error.instance_path)}: {error.message}" for error in errors
        )

    def arrow_schema(self) -> pa.Schema:
        import pyarrow as pa

        return pa.schema([pa.field(column.name, column.arrow_type()) for column in self.columns])

    def to_arrays(self, records: Sequence[Mapping[str, Any]]) -> tuple[list[pa.Array], list[str]]:
        """One Arrow array per column, and per record the reason it cannot be stored (or "").

        A schema-valid value can still not fit its column (an integer beyond 64 bits); such a
        record is reported, and the arrays are built from the others.
        """
        import pyarrow as pa

        try:
            return self._fast_arrays(records), [""] * len(records)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            return self._arrays_without_unfit(records)

    def _fast_arrays(self, records: Sequence[Mapping[str, Any]]) -> list[pa.Array]:
        """Scalar columns converted in one pass in Arrow's C++ (dict → struct), JSON text apart."""
        import pyarrow as pa

        scalar = [column for column in self.columns if not column.as_json_text]
        by_name: dict[str, pa.Array] = {}
        if scalar:
            struct_type = pa.struct([pa.field(c.name, c.arrow_type()) for c in scalar])
            struct = pa.array(records, type=struct_type)
            by_name = dict(zip([c.name for c in scalar], struct.flatten(), strict=True))
        for column in self.columns:
            if column.as_json_text:
                texts = [_json_text(record.get(column.name)) for record in records]
                by_name[column.name] = pa.array(texts, type=pa.string())
        return [by_name[column.name] for column in self.columns]

    def _arrays_without_unfit(
        self, records: Sequence[Mapping[str, Any]]
    ) -> tuple[list[pa.Array], list[str]]:
        import pyarrow as pa

        unfit = [""] * len(records)
        for column in self.columns:
            for index, record in enumerate(records):
                value = record.get(column.name)
                if column.as_json_text:
                    continue  # any JSON value fits as text
                try:
                    pa.scalar(value, type=column.arrow_type())
                except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                    unfit[index] = unfit[index] or (
                        f"$.{column.name}: {value!r} does not fit a {column.arrow_type()} column"
                    )
        fitting = [record for record, reason in zip(records, unfit, strict=True) if not reason]
        return self._fast_arrays(fitting), unfit
