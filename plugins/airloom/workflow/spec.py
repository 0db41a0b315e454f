"""The workflow spec: a versioned JSON document, the one contract between builder and Airflow.

    {"apiVersion": "airloom/v1", "kind": "Workflow",
     "metadata": {"name", "title", "description", "tags"},
     "schedule": null | "@daily" | "0 6 * * 1-5",
     "defaults": {"retries", "retryDelaySeconds", "timeoutSeconds"},
     "nodes": [{"id", "type", "params", "ui": {"x", "y"}, "retries", "timeoutSeconds"}],
     "edges": [{"source": "node.port", "target": "node.port"}]}

The published JSON Schema is :func:`json_schema`; structural rules a schema cannot express
(known types, ports, cycles) live in :mod:`airloom.workflow.validation`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

API_VERSION = "airloom/v1"
MAX_NODES = 500
# Node ids become Airflow task ids: short, lower-case, safe in every UI and log path.
NODE_ID_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
# Workflow names become part of DAG ids and file names.
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
# Workflow tags Airloom itself puts on a DAG (tenant, version, …): a user's cannot look alike.
RESERVED_TAG_PREFIXES = ("airloom", "tenant:", "version:", "workflow:")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Metadata(_Model):
    name: str = Field(description="Identifier: lower-case letters, digits and '_'.")
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=10_000)
    tags: list[str] = Field(default_factory=list, max_length=20)


MAX_RETRIES = 10
MAX_TIMEOUT_SECONDS = 7 * 86_400


def _timeout(description: str) -> Any:
    # Left out of the document when not set, so designs without one read as they were written.
    return Field(
        default=None,
        ge=1,
        le=MAX_TIMEOUT_SECONDS,
        strict=True,
        alias="timeoutSeconds",
        exclude_if=lambda value: value is None,
        description=description,
    )


class Defaults(_Model):
    retries: int = Field(default=1, ge=0, le=MAX_RETRIES)
    retry_delay_seconds: int = Field(default=60, ge=0, le=86_400, alias="retryDelaySeconds")
    timeout_seconds: int | None = _timeout(
        "How long a node's task may run before Airflow stops it (and retries it); none: no limit."
    )


class NodeUi(_Model):
    x: float = 0
    y: float = 0


class Node(_Model):
    id: str
    type: str
    params: dict[str, Any] = Field(default_factory=dict)
    ui: NodeUi = Field(default_factory=NodeUi)
    # This node's own run settings, over the design's defaults.
    retries: int | None = Field(
        default=None,
        ge=0,
        le=MAX_RETRIES,
        strict=True,
        exclude_if=lambda value: value is None,
        description="Tries after a failure that a retry may fix (defaults.retries if unset).",
    )
    timeout_seconds: int | None = _timeout(
        "How long this node's task may run (defaults.timeoutSeconds if unset)."
    )


class Edge(_Model):
    source: str = Field(description="'node.port' of an output port")
    target: str = Field(description="'node.port' of an input port")

    @staticmethod
    def split(endpoint: str) -> tuple[str, str]:
        node, _, port = endpoint.partition(".")
        return node, port


class WorkflowSpec(_Model):
    api_version: Literal["airloom/v1"] = Field(default=API_VERSION, alias="apiVersion")
    kind: Literal["Workflow"] = "Workflow"
    metadata: Metadata
    schedule: str | None = None
    defaults: Defaults = Field(default_factory=Defaults)
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)

    def to_document(self) -> dict[str, Any]:
        """The spec as the JSON document users and the builder exchange."""
        return self.model_dump(mode="json", by_alias=True)


def json_schema() -> dict[str, Any]:
    schema = WorkflowSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://airloom.dev/schemas/workflow-v1.json"
    schema["title"] = "Airloom workflow"
    return schema


def blank_spec(name: str, title: str = "") -> WorkflowSpec:
    return WorkflowSpec(metadata=Metadata(name=name, title=title or name))
