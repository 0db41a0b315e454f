"""What the catalog stores per registered model and version, independent of where it came from
(the MLflow sync, or a benchmark inserting listings directly)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from airloom import model_tags
from airloom.tenancy.registry import owner_from_tags


@dataclass
class VersionRecord:
    version: int
    status: str = "READY"
    description: str = ""
    run_id: str | None = None
    source: str | None = None
    model_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    flavors: list[str] = field(default_factory=list)
    framework: str | None = None
    signature: dict[str, Any] | None = None
    input_example: dict[str, Any] | None = None
    size_bytes: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    lineage: dict[str, Any] = field(default_factory=dict)
    details_error: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    fingerprint: str = ""

    @property
    def validation(self) -> dict[str, Any] | None:
        return check_result_from_tags(
            self.tags,
            model_tags.VALIDATION_STATUS,
            model_tags.VALIDATION_REPORT,
            model_tags.VALIDATION_RUN_ID,
        )

    @property
    def benchmark(self) -> dict[str, Any] | None:
        return check_result_from_tags(
            self.tags,
            model_tags.BENCHMARK_STATUS,
            model_tags.BENCHMARK_REPORT,
            model_tags.BENCHMARK_RUN_ID,
        )


@dataclass
class ListingRecord:
    name: str
    tenant: str = model_tags.DEFAULT_TENANT
    description: str = ""
    task: str | None = None
    industry: str | None = None
    licence: str | None = None
    owner: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    created_at: int | None = None
    updated_at: int | None = None
    fingerprint: str = ""
    versions: list[VersionRecord] = field(default_factory=list)

    @classmethod
    def from_tags(cls, name: str, tags: dict[str, str], **fields: Any) -> ListingRecord:
        """Tenant and listing fields come from the registered model's ``airloom.*`` tags; its
        free ``tags`` are the others (deployment records, say, go to the history route)."""
        return cls(
            name=name,
            tenant=owner_from_tags(tags),  # the one ownership rule the workflows follow too
            task=tags.get(model_tags.TASK),
            industry=tags.get(model_tags.INDUSTRY),
            licence=tags.get(model_tags.LICENCE),
            owner=tags.get(model_tags.OWNER),
            tags=user_tags(tags),
            **fields,
        )


def user_tags(tags: dict[str, str] | None) -> dict[str, str]:
    """The tags people set: the platform's own records are shown in fields of their own."""
    return {key: value for key, value in (tags or {}).items() if not model_tags.is_internal(key)}


def check_result_from_tags(
    tags: dict[str, str], status_key: str, report_key: str, run_key: str
) -> dict[str, Any] | None:
    if status_key not in tags:
        return None
    try:
        report = json.loads(tags.get(report_key) or "{}")
    except ValueError:
        report = {"unreadable": tags.get(report_key)}
    return {"status": tags[status_key], "run_id": tags.get(run_key), "report": report}


def fingerprint(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
