"""What an admin grants a tenant beyond its own area, and the quotas it runs within."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Grants:
    """What an admin granted a tenant beyond its own area."""

    connections: frozenset[str] = frozenset()
    # "s3://bucket/prefix/" → the AWS connection that reads it: everything below is readable.
    s3_locations: Mapping[str, str] = field(default_factory=dict)
    topics: frozenset[str] = frozenset()  # topics outside the tenant's own, used as named

    def to_document(self) -> dict[str, Any]:
        return {
            "connections": sorted(self.connections),
            "s3Locations": dict(sorted(self.s3_locations.items())),
            "topics": sorted(self.topics),
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any] | None) -> Grants:
        document = document or {}
        return cls(
            connections=frozenset(document.get("connections") or ()),
            s3_locations=dict(document.get("s3Locations") or {}),
            topics=frozenset(document.get("topics") or ()),
        )

    def s3_location_of(self, uri: str) -> str | None:
        """The granted location ``uri`` lies under, or None."""
        normalised = normalise_s3(uri)
        if normalised is None:
            return None
        for location in self.s3_locations:
            granted = normalise_s3(location) or ""
            if normalised.startswith(f"{granted}/"):
                return location
        return None


@dataclass(frozen=True)
class TenantLimits:
    """Quotas: how often and how much one tenant's workflows may run."""

    min_schedule_minutes: int = 5
    max_active_runs: int = 1
    max_published_workflows: int = 50

    def to_document(self) -> dict[str, int]:
        return {
            "minScheduleMinutes": self.min_schedule_minutes,
            "maxActiveRuns": self.max_active_runs,
            "maxPublishedWorkflows": self.max_published_workflows,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any] | None) -> TenantLimits:
        document = document or {}
        defaults = cls()
        return cls(
            min_schedule_minutes=int(
                document.get("minScheduleMinutes", defaults.min_schedule_minutes)
            ),
            max_active_runs=int(document.get("maxActiveRuns", defaults.max_active_runs)),
            max_published_workflows=int(
                document.get("maxPublishedWorkflows", defaults.max_published_workflows)
            ),
        )


def normalise_s3(uri: str) -> str | None:
    """``s3://bucket/key`` with ``.``/``..`` segments refused (None) and slashes collapsed."""
    if not uri.startswith("s3://"):
        return None
    parts = uri.removeprefix("s3://").split("/")
    if any(part in (".", "..") for part in parts):
        return None
    return "s3://" + "/".join(part for part in parts if part)
