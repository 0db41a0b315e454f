"""What a tenant's design may name, per kind of name: each check returns the problems with the
param it concerns (see :mod:`airloom.catalog.resources` for the kinds)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airloom import model_tags
from airloom.catalog.resources import Resource
from airloom.tenancy.grants import normalise_s3

if TYPE_CHECKING:
    from airloom.tenancy.scope import TenantScope

TENANTS_FOLDER = "tenants"  # the lake folder holding one area per tenant
RESERVED_TAG_PREFIX = model_tags.PREFIX
LAKE_SCHEME = "lake://"
TOPIC_LIMIT = 249  # Kafka's longest topic name
STREAM_LIMIT = 128  # Kinesis's longest stream name
_MODEL_URI = re.compile(r"^models:/(?P<name>[^/@\s]+)(/\d+|@[A-Za-z0-9_\-]+)$")


class TenantAccessDenied(PermissionError):
    """A workflow reached for something outside its tenant; nothing was touched."""


@dataclass(frozen=True)
class AccessProblem:
    code: str  # OUTSIDE_TENANT, NOT_GRANTED, RESERVED_NAME, OWNED_BY_ANOTHER_TENANT, QUOTA
    field: str  # the param, e.g. "source"
    message: str


def lake_path_problem(path: str) -> str | None:
    """Why ``path`` (relative to the tenant's area) is not a place in it, or None."""
    if not path.strip("/"):
        return "needs a path in the lake, e.g. lake://landing/*.csv"
    if path.startswith("/") or "\\" in path:
        return "is relative to the tenant's area of the lake: no leading '/' or '\\'"
    segments = path.split("/")
    if any(segment in (".", "..") for segment in segments):
        return "must not contain '.' or '..' segments: it stays inside the tenant's area"
    if segments[0] == TENANTS_FOLDER:
        return (
            f"names are relative to the tenant's own area; '{TENANTS_FOLDER}/' is reserved "
            "and other tenants' areas cannot be named"
        )
    return None


# -- per kind: what is refused (checks) and where a name goes (places) -------------------------


def _reserved_area(scope: TenantScope, name: str, value: Any, _: Any) -> list[AccessProblem]:
    if isinstance(value, str) and value.split("/", 1)[0] == TENANTS_FOLDER:
        return [AccessProblem("RESERVED_NAME", name, f"{value!r}: {lake_path_problem(value)}")]
    return []


def _file_source(scope: TenantScope, name: str, value: Any, _: Any) -> list[AccessProblem]:
    if not isinstance(value, str):
        return []
    if value.startswith(LAKE_SCHEME):
        problem = lake_path_problem(value.removeprefix(LAKE_SCHEME))
        return [AccessProblem("OUTSIDE_TENANT", name, f"{value!r} {problem}")] if problem else []
    if value.startswith("s3://"):
        if normalise_s3(value) is None:
            return [AccessProblem("OUTSIDE_TENANT", name, f"{value!r} must not contain '..'")]
        if scope.grants.s3_location_of(value) is None:
            return [
                AccessProblem(
                    "NOT_GRANTED",
                    name,
                    f"{value!r} is not under an S3 location granted to tenant "
                    f"{scope.tenant!r}; ask an admin to grant it",
                )
            ]
        return []
    return [
        AccessProblem(
            "OUTSIDE_TENANT",
            name,
            f"{value!r}: a workflow reads files from its tenant's area of the lake "
            "(lake://path) or from an S3 location granted to the tenant, not from the "
            "worker's file system",
        )
    ]


def _topic(scope: TenantScope, name: str, value: Any, _: Any) -> list[AccessProblem]:
    if isinstance(value, str) and len(scope.topic(value)) > TOPIC_LIMIT:
        return [
            AccessProblem(
                "INVALID_NAME",
                name,
                f"topic {value!r} is too long: with the tenant's prefix it must stay within "
                f"{TOPIC_LIMIT} characters",
            )
        ]
    return []


def _connection(scope: TenantScope, name: str, value: Any, _: Any) -> list[AccessProblem]:
    return scope.connection_problems(name, value) if isinstance(value, str) else []


def _aws_connection(scope: TenantScope, name: str, value: Any, _: Any) -> list[AccessProblem]:
    return scope.aws_connection_problems(name, value) if isinstance(value, str) else []


def _s3_location(scope: TenantScope, name: str, value: Any, _: Any) -> list[AccessProblem]:
    if not isinstance(value, str):
        return []
    if not value.startswith("s3://"):
        return [AccessProblem("OUTSIDE_TENANT", name, f"{value!r} is not an s3:// location")]
    if normalise_s3(value) is None:
        return [AccessProblem("OUTSIDE_TENANT", name, f"{value!r} must not contain '..'")]
    if scope.grants.s3_location_of(value) is None:
        return [
            AccessProblem(
                "NOT_GRANTED",
                name,
                f"{value!r} is not under an S3 location granted to tenant {scope.tenant!r}; "
                "ask an admin to grant it",
            )
        ]
    return []


def _stream(scope: TenantScope, name: str, value: Any, _: Any) -> list[AccessProblem]:
    if isinstance(value, str) and len(scope.stream(value)) > STREAM_LIMIT:
        return [
            AccessProblem(
                "INVALID_NAME",
                name,
                f"stream {value!r} is too long: with the tenant's prefix it must stay within "
                f"{STREAM_LIMIT} characters",
            )
        ]
    return []


def _chosen_by_airloom(scope: TenantScope, name: str, value: Any, model: Any) -> list:
    if value == model.model_fields[name].default:
        return []
    return [
        AccessProblem(
            "NOT_GRANTED",
            name,
            f"Airloom chooses {name} for a tenant's workflows; remove it from the node",
        )
    ]


def _model(scope: TenantScope, name: str, value: Any, _: Any) -> list[AccessProblem]:
    if scope.model_owner is None or not isinstance(value, str):
        return []
    return _owned(scope, name, value)


def _model_uri(scope: TenantScope, name: str, value: Any, _: Any) -> list[AccessProblem]:
    if not isinstance(value, str):
        return []
    match = _MODEL_URI.match(value)
    if match is None:
        return [
            AccessProblem(
                "OUTSIDE_TENANT",
                name,
                f"{value!r}: a workflow names a registered model of its tenant "
                "(models:/<name>/<version> or models:/<name>@<alias>), not a run's artifacts",
            )
        ]
    return _owned(scope, name, match["name"]) if scope.model_owner is not None else []


def _owned(scope: TenantScope, name: str, model_name: str) -> list[AccessProblem]:
    owner = scope.model_owner(model_name) if scope.model_owner else None
    if owner is None or owner == scope.tenant:
        return []
    return [
        AccessProblem(
            "OWNED_BY_ANOTHER_TENANT",
            name,
            f"registered model {model_name!r} belongs to another tenant; choose another name",
        )
    ]


def _tags(scope: TenantScope, name: str, value: Any, _: Any) -> list[AccessProblem]:
    if not isinstance(value, Mapping):
        return []
    return [
        AccessProblem(
            "RESERVED_NAME",
            f"{name}.{key}",
            f"tag names starting with {RESERVED_TAG_PREFIX!r} are reserved for the platform",
        )
        for key in value
        if str(key).lower().startswith(RESERVED_TAG_PREFIX)
    ]


CHECKS: dict[Resource, Callable[..., list[AccessProblem]]] = {
    Resource.DATASET: _reserved_area,
    Resource.CHECKPOINT: _reserved_area,
    Resource.FILE_SOURCE: _file_source,
    Resource.TOPIC: _topic,
    Resource.CONNECTION: _connection,
    Resource.AWS_CONNECTION: _aws_connection,
    Resource.S3_LOCATION: _s3_location,
    Resource.KINESIS_STREAM: _stream,
    Resource.PLATFORM_CONNECTION: _chosen_by_airloom,
    Resource.STORAGE_CONNECTION: _chosen_by_airloom,
    Resource.MODEL: _model,
    Resource.MODEL_URI: _model_uri,
    Resource.TAGS: _tags,
}
