"""What the MWAA Serverless stand-in takes from botocore's model of the service.

Requests are checked against the input shapes of ``mwaa-serverless`` 2024-07-26 as the service
checks them, so a value botocore sends but the service refuses (a name outside its pattern, a
description over 1,024 characters, 51 tags) answers ``ValidationException`` with
``Reason: fieldValidationFailed`` and a ``FieldList`` naming the field. botocore itself checks
only required members and minimum lengths before sending.

The model's patterns carry no anchors; they are matched against the whole value here, since a
name outside ``[a-zA-Z0-9]+[a-zA-Z0-9.-_]*`` could not form the workflow's ARN either.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore.session

from tests.harness.aws_stand_ins.server import AwsError

SERVICE = "mwaa-serverless"
PREFIX = "AmazonMWAAServerless"
DEFAULT_PAGE = 100  # the model's MaxResults ceiling, the default here too


@cache
def service_model() -> Any:
    return botocore.session.get_session().get_service_model(SERVICE)


def now() -> str:
    """A timestamp as the model's ``TimestampValue`` (ISO 8601)."""
    return datetime.now(UTC).isoformat()


def validation_error(field: str, message: str, reason: str = "fieldValidationFailed") -> AwsError:
    """The service's ``ValidationException``, naming ``field``."""
    return AwsError(
        "ValidationException",
        message,
        fields={
            "Message": message,
            "Reason": reason,
            "FieldList": [{"Name": field, "Message": message}],
        },
    )


def not_found(resource_type: str, resource_id: str) -> AwsError:
    message = f"{resource_type} {resource_id} not found"
    return AwsError(
        "ResourceNotFoundException",
        message,
        status=404,
        fields={"Message": message, "ResourceId": resource_id, "ResourceType": resource_type},
    )


def conflict(resource_type: str, resource_id: str, message: str) -> AwsError:
    return AwsError(
        "ConflictException",
        message,
        status=409,
        fields={"Message": message, "ResourceId": resource_id, "ResourceType": resource_type},
    )


def check_request(operation: str, body: dict[str, Any]) -> None:
    """``body`` against ``operation``'s input shape: the first broken constraint is the
    ``ValidationException``, in the wording AWS's services use for one."""
    shape = service_model().operation_model(operation).input_shape
    problem = _problem(shape, body, "")
    if problem is not None:
        field, rule = problem
        value = _at(body, field)
        shown = "" if value is _MISSING else f"Value '{_short(value)}' "
        raise validation_error(
            field, f"1 validation error detected: {shown}at '{field}' failed to satisfy "
            f"constraint: {rule}",
        )  # fmt: skip


_MISSING = object()


def _problem(shape: Any, value: Any, path: str) -> tuple[str, str] | None:
    kind, meta = shape.type_name, shape.metadata
    if getattr(shape, "is_document_type", False):
        return None  # any JSON value
    if kind == "structure":
        if not isinstance(value, dict):
            return path, "Member must be an object"
        for name in shape.required_members:
            if value.get(name) is None:
                return _join(path, name), "Member must not be null"
        for name, member in shape.members.items():
            if value.get(name) is not None:
                found = _problem(member, value[name], _join(path, name))
                if found:
                    return found
        return None
    if kind == "string":
        if not isinstance(value, str):
            return path, "Member must be a string"
        if "enum" in meta and value not in meta["enum"]:
            return path, f"Member must satisfy enum value set: {meta['enum']}"
        return _size(len(value), meta, path, "length") or _pattern(value, meta, path)
    if kind == "list":
        if not isinstance(value, list):
            return path, "Member must be a list"
        found = _size(len(value), meta, path, "length")
        for index, item in enumerate(value):
            found = found or _problem(shape.member, item, f"{path}.{index + 1}")
        return found
    if kind == "map":
        if not isinstance(value, dict):
            return path, "Member must be a map"
        found = _size(len(value), meta, path, "length")
        for key, item in value.items():
            found = found or _problem(shape.key, key, f"{path}.{key}")
            found = found or _problem(shape.value, item, f"{path}.{key}")
        return found
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return path, "Member must be an integer"
        return _size(value, meta, path, "value")
    if kind == "boolean" and not isinstance(value, bool):
        return path, "Member must be a boolean"
    return None


def _size(size: int, meta: dict[str, Any], path: str, what: str) -> tuple[str, str] | None:
    if "min" in meta and size < meta["min"]:
        return path, f"Member must have {what} greater than or equal to {meta['min']}"
    if "max" in meta and size > meta["max"]:
        return path, f"Member must have {what} less than or equal to {meta['max']}"
    return None


def _pattern(value: str, meta: dict[str, Any], path: str) -> tuple[str, str] | None:
    if "pattern" in meta and re.fullmatch(meta["pattern"], value, flags=re.DOTALL) is None:
        return path, f"Member must satisfy regular expression pattern: {meta['pattern']}"
    return None


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _at(body: dict[str, Any], path: str) -> Any:
    value: Any = body
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) <= len(value):
            value = value[int(part) - 1]
        else:
            return _MISSING
    return value


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def page(items: list[Any], body: dict[str, Any], key: str) -> dict[str, Any]:
    """One page of ``items`` under ``key``, with ``NextToken`` when more follow."""
    token = body.get("NextToken")
    if token is not None and not str(token).isdigit():
        raise validation_error("NextToken", "The pagination token is invalid")
    start = int(token or 0)
    size = body.get("MaxResults") or DEFAULT_PAGE
    answer: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        answer["NextToken"] = str(start + size)
    return answer
