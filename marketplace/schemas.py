"""The API's request and response shapes (pydantic), built from the catalog's rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from marketplace.models import Listing, ListingVersion


def _time(millis: int | None) -> datetime | None:
    return datetime.fromtimestamp(millis / 1000, UTC) if millis else None


def _status(result: dict[str, Any] | None) -> str:
    return result["status"] if result else "not_run"


class ErrorBody(BaseModel):
    detail: Any = Field(description="What went wrong, in words (a list for invalid fields)")
    code: str = Field(description="Stable machine-readable code, e.g. not_found")


class CheckResult(BaseModel):
    """The stored result of a validation or benchmark run (from the version's MLflow tags)."""

    status: str
    run_id: str | None = None
    report: dict[str, Any] = Field(default_factory=dict)


class VersionSummary(BaseModel):
    version: int
    aliases: list[str]
    status: str
    framework: str | None
    validation_status: str
    benchmark_status: str
    created_at: datetime | None

    @classmethod
    def from_row(cls, row: ListingVersion) -> VersionSummary:
        return cls(
            version=row.version,
            aliases=row.aliases,
            status=row.status,
            framework=row.framework,
            validation_status=_status(row.validation),
            benchmark_status=_status(row.benchmark),
            created_at=_time(row.mlflow_created_at),
        )


class VersionDetail(VersionSummary):
    name: str
    description: str
    tags: dict[str, str]
    flavors: list[str]
    signature: dict[str, Any] | None
    input_example: dict[str, Any] | None
    size_bytes: int | None
    metrics: dict[str, float]
    params: dict[str, str]
    lineage: dict[str, Any]
    validation: CheckResult | None
    benchmark: CheckResult | None
    details_error: str | None
    updated_at: datetime | None

    @classmethod
    def from_version(cls, listing: Listing, row: ListingVersion) -> VersionDetail:
        return cls(
            **VersionSummary.from_row(row).model_dump(),
            name=listing.name,
            description=row.description,
            tags=row.tags,
            flavors=row.flavors,
            signature=row.signature,
            input_example=row.input_example,
            size_bytes=row.size_bytes,
            metrics=row.metrics,
            params=row.params,
            lineage=row.lineage,
            validation=CheckResult(**row.validation) if row.validation else None,
            benchmark=CheckResult(**row.benchmark) if row.benchmark else None,
            details_error=row.details_error,
            updated_at=_time(row.mlflow_updated_at),
        )


class ListingSummary(BaseModel):
    name: str
    description: str
    task: str | None
    industry: str | None
    framework: str | None
    licence: str | None
    owner: str | None
    tags: dict[str, str]
    aliases: dict[str, int]
    latest_version: int | None
    headline_version: int | None = Field(description="The champion's version, else the latest")
    metrics: dict[str, float] = Field(description="Metrics of the headline version's run")
    validation_status: str
    updated_at: datetime | None
    score: float | None = Field(default=None, description="Relevance to the query")

    @classmethod
    def from_row(cls, listing: Listing, score: float | None = None) -> ListingSummary:
        headline = headline_row(listing)
        return cls(
            name=listing.name,
            description=listing.description,
            task=listing.task,
            industry=listing.industry,
            framework=listing.framework,
            licence=listing.licence,
            owner=listing.owner,
            tags=listing.tags,
            aliases=listing.aliases,
            latest_version=listing.latest_version,
            headline_version=listing.headline_version,
            metrics=listing.metrics,
            validation_status=_status(headline.validation if headline else None),
            updated_at=_time(listing.mlflow_updated_at),
            score=score,
        )


class ListingDetail(ListingSummary):
    versions: list[VersionSummary]
    signature: dict[str, Any] | None
    lineage: dict[str, Any]
    size_bytes: int | None

    @classmethod
    def from_listing(cls, listing: Listing) -> ListingDetail:
        headline = headline_row(listing)
        return cls(
            **ListingSummary.from_row(listing).model_dump(),
            versions=[VersionSummary.from_row(row) for row in listing.versions],
            signature=headline.signature if headline else None,
            lineage=headline.lineage if headline else {},
            size_bytes=headline.size_bytes if headline else None,
        )


def headline_row(listing: Listing) -> ListingVersion | None:
    return next((row for row in listing.versions if row.version == listing.headline_version), None)


class SearchPage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[ListingSummary]
    facets: dict[str, dict[str, int]] = Field(
        description="Listings per task, industry, framework and licence under the current filter"
    )


class VersionRef(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    version: int = Field(ge=1)


class CompareRequest(BaseModel):
    versions: list[VersionRef] = Field(min_length=2, max_length=5)


class ComparedVersion(BaseModel):
    name: str
    version: int
    framework: str | None
    metrics: dict[str, float]
    size_bytes: int | None
    signature: dict[str, Any] | None
    validation_status: str
    benchmark: dict[str, Any] | None = Field(description="Figures per concurrency level")


class SignatureCompatibility(BaseModel):
    name: str
    version: int
    verdict: str = Field(description="identical, compatible, incompatible or unknown")
    reasons: list[str]


class CompareResponse(BaseModel):
    baseline: VersionRef
    versions: list[ComparedVersion]
    metrics: dict[str, list[float | None]] = Field(
        description="Each metric, one value per version in request order"
    )
    best: dict[str, int] = Field(
        description="Per metric with a known direction, the index of the best version"
    )
    signature_compatibility: list[SignatureCompatibility]


class CheckRunPublic(BaseModel):
    kind: str
    model: str
    version: int
    dag_id: str
    run_id: str
    state: str
    conf: dict[str, Any]
    created_at: datetime
    status_url: str
    airflow_url: str | None = None


class CheckStatus(BaseModel):
    """What a version's validation or benchmark looks like now."""

    model: str
    version: int
    status: str = Field(description="not_run, queued, running, passed/failed or completed")
    result: CheckResult | None
    run: CheckRunPublic | None


class ValidationRequest(BaseModel):
    champion_alias: str = "champion"
    thresholds: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='Per metric: {"goal": "maximize", "tolerance": 0.01, "minimum": 0.7}',
    )


class BenchmarkRequest(BaseModel):
    concurrency: list[int] = Field(default_factory=lambda: [1, 8, 32], min_length=1, max_length=8)
    requests_per_level: int = Field(default=200, ge=10, le=100_000)


class KeyInfo(BaseModel):
    prefix: str
    name: str
    tenant: str
    tier: str
    rate_limit: str
