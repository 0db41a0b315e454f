"""The activity event's shape as the consumer checks it: docs/insights.md's contract as a
JSON Schema, whose properties become the Parquet columns (:class:`airloom.ingest.records.
RecordSchema`). An event that does not fit goes to the quarantine with the reason, never into
the views; fields an event has beyond these are not stored."""

from __future__ import annotations

from typing import Any

from airloom.tenancy import TENANT_PATTERN

KINDS = (
    "dag_run",
    "task_run",
    "workflow_published",
    "model_registered",
    "model_promoted",
    "deployment",
    "invocation",
    "api_call",
    "aws_usage",
)
SOURCES = ("airflow", "builder", "marketplace", "serving")


def _nullable(json_type: str | list[str], **more: Any) -> dict[str, Any]:
    types = [json_type] if isinstance(json_type, str) else list(json_type)
    return {"type": [*types, "null"], **more}


_TEXT = _nullable("string", maxLength=1000)
# Versions are integers for the builder and strings for MLflow: kept as text either way.
_VERSION = _nullable(["string", "integer"])
# ISO 8601 with a time (and a zone; without one it is taken as UTC): checked here, because a
# schema's "format" is only an annotation, and one bad timestamp must not break every query.
ISO_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$"
_TIME = _nullable("string", pattern=ISO_TIMESTAMP)

# Fields each kind cannot do without: without them the event says nothing the views can use.
_REQUIRED_BY_KIND = {
    "dag_run": ["dag_id", "run_id", "state"],
    "task_run": ["dag_id", "run_id", "task_id", "state"],
    "workflow_published": ["workflow"],
    "model_registered": ["model"],
    "model_promoted": ["model"],
    "deployment": ["action", "state"],  # a deploy that failed early may name no endpoint
    "invocation": ["endpoint"],
    "api_call": ["service", "route", "status"],
    "aws_usage": ["dag_id", "run_id", "task_id", "service", "operation", "units"],
}

ACTIVITY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["event_id", "tenant", "kind", "at", "source"],
    "properties": {
        "event_id": {"type": "string", "minLength": 1, "maxLength": 100},
        "tenant": {"type": "string", "pattern": TENANT_PATTERN.pattern},
        "kind": {"type": "string", "enum": list(KINDS)},
        "at": {"type": "string", "pattern": ISO_TIMESTAMP},
        "source": {"type": "string", "enum": list(SOURCES)},
        "dag_id": _TEXT,
        "run_id": _TEXT,
        "run_type": _TEXT,
        "task_id": _TEXT,
        "workflow": _TEXT,
        "workflow_version": _VERSION,
        "node_type": _TEXT,
        "state": _TEXT,
        "try_number": _nullable("integer", minimum=0),
        "started_at": _TIME,
        "ended_at": _TIME,
        "duration_s": _nullable("number", minimum=0),
        "actor": _TEXT,
        "model": _TEXT,
        "model_version": _VERSION,
        "alias": _TEXT,
        "endpoint": _TEXT,
        "action": _TEXT,
        "target": _TEXT,
        "instance_type": _TEXT,
        "predictions": _nullable("integer", minimum=0),
        "latency_ms": _nullable("number", minimum=0),
        "ok": _nullable("boolean"),
        "service": _TEXT,
        "route": _TEXT,
        "method": _TEXT,
        "status": _nullable("integer", minimum=100, maximum=599),
        "tier": _TEXT,
        "rate_limited": _nullable("boolean"),
        "operation": _TEXT,
        "requests": _nullable("integer", minimum=0),
        "units": _nullable("number", minimum=0),
        "unit": _TEXT,
        "retries": _nullable("integer", minimum=0),
        "failed_rows": _nullable("integer", minimum=0),
    },
    "allOf": [
        {
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": {
                "required": fields,
                "properties": {field: {"not": {"type": "null"}} for field in fields},
            },
        }
        for kind, fields in _REQUIRED_BY_KIND.items()
    ],
}
