"""The API's request and response shapes (pydantic), built from the catalog's rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from airloom import model_tags
from marketplace.catalog.records import user_tags
from marketplace.models import Listing, ListingVersion

MAX_VERSION = 2**31 - 1  # MLflow keeps version numbers as 32-bit integers


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time the marketplace stores is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_aware)]


def _time(millis: int | None) -> datetime | None:
    return datetime.fromtimestamp(millis / 1000, UTC) if millis else None


def _status(result: dict[str, Any] | None) -> str:
    return result["status"] if result else "not_run"


class FieldProblem(BaseModel):
    field: str = Field(description="Where the input is wrong, e.g. body.endpoint or query.page")
    message: str = Field(description="What is wrong with it")


class ErrorBody(BaseModel):
    """The one shape of every error the marketplace answers (4xx and 5xx)."""

    detail: str | list[FieldProblem] = Field(
        description="What went wrong, in words; for invalid input, one entry per wrong field"
    )
    code: str = Field(description="Stable machine-readable code, e.g. not_found, invalid_input")


class CheckResult(BaseModel):
    """The stored result of a validation or benchmark run (from the version's MLflow tags)."""

    status: str
    run_id: str | None = None
    report: dict[str, Any] = Field(default_factory=dict)


class EvaluationResult(BaseModel):
    """The evaluate node's verdict on the version against the champion of the time."""

    status: str = Field(description="passed or failed")
    report: str | None = Field(default=None, description="The report's MLflow artifact URI")

    @classmethod
    def from_tags(cls, tags: dict[str, str]) -> EvaluationResult | None:
        if model_tags.EVALUATION_STATUS not in tags:
            return None
        return cls(
            status=tags[model_tags.EVALUATION_STATUS],
            report=tags.get(model_tags.EVALUATION_REPORT),
        )


class VersionSummary(BaseModel):
    version: int
    aliases: list[str]
    status: str
    framework: str | None
    validation_status: str
    benchmark_status: str
    created_at: UtcDateTime | None

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
    tags: dict[str, str] = Field(description="Tags people set; Airloom's records have fields")
    flavors: list[str]
    signature: dict[str, Any] | None
    input_example: dict[str, Any] | None = Field(
        description="The request the version was logged with (e.g. dataframe_split), first rows"
    )
    size_bytes: int | None
    metrics: dict[str, float]
    params: dict[str, str]
    lineage: dict[str, Any]
    validation: CheckResult | None
    benchmark: CheckResult | None
    evaluation: EvaluationResult | None
    details_error: str | None
    updated_at: UtcDateTime | None

    @classmethod
    def from_version(cls, listing: Listing, row: ListingVersion) -> VersionDetail:
        return cls(
            **VersionSummary.from_row(row).model_dump(),
            name=listing.name,
            description=row.description,
            tags=user_tags(row.tags),
            flavors=row.flavors,
            signature=row.signature,
            input_example=row.input_example,
            size_bytes=row.size_bytes,
            metrics=row.metrics,
            params=row.params,
            lineage=row.lineage,
            validation=CheckResult(**row.validation) if row.validation else None,
            benchmark=CheckResult(**row.benchmark) if row.benchmark else None,
            evaluation=EvaluationResult.from_tags(row.tags or {}),
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
    tags: dict[str, str] = Field(
        description="Tags people set on the registered model; Airloom's own records are in "
        "fields of their own and the deployment history"
    )
    aliases: dict[str, int]
    latest_version: int | None
    headline_version: int | None = Field(description="The champion's version, else the latest")
    metrics: dict[str, float] = Field(description="Metrics of the headline version's run")
    validation_status: str
    updated_at: UtcDateTime | None
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
            tags=user_tags(listing.tags),  # also for rows stored before the rule
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
        description="Listings per task, industry, framework, licence and owner under the "
        "current filter"
    )


class VersionRef(BaseModel):
    # Unknown fields refused, so uniqueItems below means what the comparison means.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    version: int = Field(ge=1, le=MAX_VERSION)


class CompareRequest(BaseModel):
    # Each version at most once: the comparison refuses repeats (422).
    versions: list[VersionRef] = Field(
        min_length=2, max_length=5, json_schema_extra={"uniqueItems": True}
    )


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
    created_at: UtcDateTime
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
    champion_alias: str = Field(default="champion", min_length=1, max_length=255)
    thresholds: dict[Annotated[str, Field(max_length=250)], dict[str, Any]] = Field(
        default_factory=dict,
        max_length=100,
        description='Per metric: {"goal": "maximize", "tolerance": 0.01, "minimum": 0.7}',
    )


class BenchmarkRequest(BaseModel):
    concurrency: list[Annotated[int, Field(ge=1, le=256)]] = Field(
        default_factory=lambda: [1, 8, 32], min_length=1, max_length=8
    )
    requests_per_level: int = Field(default=200, ge=10, le=100_000)


class KeyInfo(BaseModel):
    prefix: str
    name: str
    tenant: str
    tier: str
    rate_limit: str


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int) else value


# Audit records keep versions as text ("3"); older ones may hold a number.
VersionText = Annotated[str | None, BeforeValidator(_text)]
