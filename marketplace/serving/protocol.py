"""MLflow's scoring protocol, split so that concurrent requests can be predicted as one batch.

A request is decoded and checked against the model signature on its own (so a bad payload is
refused alone, with the column it gets wrong), then requests of the same shape are merged into
one payload of the same format and parsed by MLflow's own scoring-server functions
(:func:`mlflow.pyfunc.scoring_server.infer_and_parse_data`) once per batch. Whatever cannot be
merged (CSV or Parquet bodies, ``params``, tensor signatures, unified LLM inputs) is served
exactly as ``mlflow models serve`` would, by :func:`mlflow.pyfunc.scoring_server.invocations`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mlflow.pyfunc import scoring_server
from mlflow.pyfunc.utils.serving_data_parser import is_unified_llm_input

DF_SPLIT = scoring_server.DF_SPLIT
DF_RECORDS = scoring_server.DF_RECORDS
INSTANCES = scoring_server.INSTANCES
INPUTS = scoring_server.INPUTS

# Scalar signature types whose JSON values can be checked cheaply per request.
_NUMBERS = (int, float)
_CHECKS: dict[str, tuple[tuple[type, ...], str]] = {
    "double": (_NUMBERS, "a number"),
    "float": (_NUMBERS, "a number"),
    "long": ((int,), "an integer"),
    "integer": ((int,), "an integer"),
    "boolean": ((bool,), "true or false"),
    "string": ((str,), "a string"),
}


class PayloadError(ValueError):
    """A request the model cannot score: 400 when malformed, 422 when it breaks the signature."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class ColumnSpec:
    name: str
    type: str | None  # one of _CHECKS, or None when only presence is checked
    required: bool


@dataclass
class Signature:
    """The columns of a column-based input signature (None: not column-based, no batching)."""

    columns: list[ColumnSpec] | None
    schema: Any = None

    @classmethod
    def of(cls, model: Any) -> Signature:
        schema = model.metadata.get_input_schema()
        if schema is None or schema.is_tensor_spec() or not schema.has_input_names():
            return cls(columns=None, schema=schema)
        columns = []
        for spec in schema.inputs:
            kind = getattr(spec.type, "name", None)
            columns.append(ColumnSpec(spec.name, kind if kind in _CHECKS else None, spec.required))
        return cls(columns=columns, schema=schema)


@dataclass
class Request:
    """One decoded JSON request: ``merge_key`` says which others it may be batched with."""

    format: str
    data: Any
    rows: int
    merge_key: tuple | None
    raw: bytes = field(repr=False, default=b"")


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def decode(body: bytes, content_type: str | None, signature: Signature) -> Request | None:
    """Decode and check one request; None when it must be served unbatched by MLflow."""
    if _mime(content_type) != scoring_server.CONTENT_TYPE_JSON or signature.columns is None:
        return None
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise PayloadError(f"{scoring_server.REQUIRED_INPUT_FORMAT}; got {type(payload).__name__}")
    if scoring_server.SERVING_PARAMS_KEY in payload or is_unified_llm_input(payload):
        return None
    formats = [key for key in payload if key in scoring_server.SUPPORTED_FORMATS]
    if len(formats) != 1:
        raise PayloadError(f"{scoring_server.REQUIRED_INPUT_FORMAT}; got fields {sorted(payload)}")
    kind = formats[0]
    data = payload[kind]
    if kind == DF_SPLIT:
        return _split(data, signature, body)
    if isinstance(data, list) and all(isinstance(row, dict) for row in data):
        _check_records(data, signature, kind)
        return Request(kind, data, len(data), ("records", kind), body)
    if kind != DF_RECORDS and isinstance(data, dict) and data:
        return _columnar(kind, data, signature, body)
    if kind == DF_RECORDS:
        raise PayloadError(f"{DF_RECORDS} must be a list of records (objects), one per row")
    return None  # a tensor-shaped payload: MLflow decides


def _split(data: Any, signature: Signature, body: bytes) -> Request:
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise PayloadError(f'{DF_SPLIT} must be an object with "columns" and "data" lists')
    columns = data.get("columns")
    rows = data["data"]
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise PayloadError(f'{DF_SPLIT} needs "columns": the list of column names')
    _check_names(set(columns), signature, DF_SPLIT)
    checks = _column_checks(signature)
    for number, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            raise PayloadError(
                f"{DF_SPLIT} row {number} must be a list of {len(columns)} values, one per column"
            )
        for name, value in zip(columns, row, strict=True):
            _check_value(checks, name, value, number)
    return Request(DF_SPLIT, data, len(rows), ("split", tuple(columns)), body)


def _check_records(records: list[dict], signature: Signature, kind: str) -> None:
    checks = _column_checks(signature)
    for number, record in enumerate(records):
        _check_names(set(record), signature, kind, number)
        for name, value in record.items():
            _check_value(checks, name, value, number)


def _columnar(kind: str, data: dict, signature: Signature, body: bytes) -> Request | None:
    if not all(isinstance(values, list) for values in data.values()):
        return None  # scalars per column: MLflow decides
    lengths = {len(values) for values in data.values()}
    if len(lengths) != 1:
        raise PayloadError(f"every column in {kind} must have the same number of values")
    _check_names(set(data), signature, kind)
    checks = _column_checks(signature)
    for name, values in data.items():
        for number, value in enumerate(values):
            _check_value(checks, name, value, number)
    return Request(kind, data, lengths.pop(), ("columns", kind, tuple(sorted(data))), body)


def _column_checks(signature: Signature) -> dict[str, ColumnSpec]:
    return {column.name: column for column in signature.columns or []}


def _check_names(present: set[str], signature: Signature, kind: str, row: int | None = None):
    missing = [c.name for c in signature.columns or [] if c.required and c.name not in present]
    if missing:
        where = f" in row {row}" if row is not None else ""
        raise PayloadError(
            f"{kind}{where} is missing the column(s) {', '.join(map(repr, missing))} "
            f"the model signature requires",
            status=422,
        )


def _check_value(checks: dict[str, ColumnSpec], name: str, value: Any, row: int) -> None:
    spec = checks.get(name)
    if spec is None or spec.type is None or value is None:
        return  # extra columns are dropped by MLflow; None is left to its schema enforcement
    allowed, expected = _CHECKS[spec.type]
    if (isinstance(value, bool) and spec.type != "boolean") or not isinstance(value, allowed):
        raise PayloadError(
            f"column {name!r} expects {expected} ({spec.type}) by the model signature; "
            f"row {row} has {value!r}",
            status=422,
        )


def merge(requests: list[Request]) -> dict[str, Any]:
    """One payload, in the requests' shared format, holding every request's rows in order."""
    first = requests[0]
    if first.format == DF_SPLIT:
        rows = [row for request in requests for row in request.data["data"]]
        return {DF_SPLIT: {"columns": first.data["columns"], "data": rows}}
    if first.merge_key[0] == "records":
        return {first.format: [row for request in requests for row in request.data]}
    return {
        first.format: {
            name: [value for request in requests for value in request.data[name]]
            for name in first.data
        }
    }


def parse(payload: dict[str, Any], signature: Signature) -> Any:
    """The model input for a (merged) payload, parsed by MLflow's scoring server."""
    return scoring_server.infer_and_parse_data(payload, signature.schema)


def slice_rows(predictions: Any, start: int, stop: int) -> Any:
    if hasattr(predictions, "iloc"):
        return predictions.iloc[start:stop]
    return predictions[start:stop]


def encode_predictions(predictions: Any) -> bytes:
    from io import StringIO

    buffer = StringIO()
    scoring_server.predictions_to_json(predictions, buffer)
    return buffer.getvalue().encode()
