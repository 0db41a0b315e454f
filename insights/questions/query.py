"""The structured query a question becomes, validated against the semantic layer.

Whatever produces a Query (the offline translator, an LLM, a program calling the API) goes
through the same validation, so nothing unchecked reaches the compiler. A Query never names a
tenant: the compiler takes the tenant from the caller.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from insights.questions.semantic import DIMENSIONS, GRAINS, METRICS, dimensions_of, source_for

MAX_METRICS = 4
MAX_GROUP_BY = 2
MAX_FILTER_VALUES = 20


class QueryError(ValueError):
    """A Query the layer cannot answer; the message says what and where."""


class OtherTenantError(QueryError):
    """A Query that names a tenant other than the caller's."""


class TimeRange(BaseModel):
    """A half-open range of time, ``start`` included, ``end`` excluded (UTC, naive)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: datetime
    end: datetime
    label: str | None = Field(
        default=None, description="the phrase it came from ('last week'); not part of its meaning"
    )

    @field_validator("start", "end")
    @classmethod
    def _utc_naive(cls, value: datetime) -> datetime:
        # The read model's timestamps are UTC: aware values are converted, then made naive.
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.start >= self.end:
            raise ValueError(f"time_range: start {self.start} is not before end {self.end}")
        return self


class Filter(BaseModel):
    """Keep only rows whose dimension has one of these values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dimension: str
    values: tuple[str, ...] = Field(min_length=1, max_length=MAX_FILTER_VALUES)

    @field_validator("dimension")
    @classmethod
    def _known_dimension(cls, value: str) -> str:
        if value not in DIMENSIONS:
            raise ValueError(f"filters: unknown dimension {value!r}; known: {sorted(DIMENSIONS)}")
        return value

    @field_validator("values")
    @classmethod
    def _plain_values(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not value or len(value) > 200:
                raise ValueError("filters: each value must be 1 to 200 characters")
        return values


class Query(BaseModel):
    """What to compute: metrics, broken down by dimensions or a time grain, over a time range.

    ``order``/``limit`` make a top (``desc``) or bottom (``asc``) N of the first metric, or of
    its change against the previous period when ``rank_by`` is ``change``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    metrics: tuple[str, ...] = Field(min_length=1, max_length=MAX_METRICS)
    group_by: tuple[str, ...] = Field(default=(), max_length=MAX_GROUP_BY)
    grain: Literal["day", "week", "month"] | None = None
    time_range: TimeRange | None = None
    filters: tuple[Filter, ...] = ()
    order: Literal["desc", "asc"] | None = None
    limit: int | None = Field(default=None, ge=1, le=1000)
    compare_previous: bool = False
    rank_by: Literal["value", "change"] = "value"

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, metrics: tuple[str, ...]) -> tuple[str, ...]:
        for metric in metrics:
            if metric not in METRICS:
                raise ValueError(f"metrics: unknown metric {metric!r}; known: {sorted(METRICS)}")
        if len(set(metrics)) != len(metrics):
            raise ValueError("metrics: a metric is named twice")
        return metrics

    @field_validator("group_by")
    @classmethod
    def _known_dimensions(cls, group_by: tuple[str, ...]) -> tuple[str, ...]:
        for dimension in group_by:
            if dimension not in DIMENSIONS:
                raise ValueError(
                    f"group_by: unknown dimension {dimension!r}; known: {sorted(DIMENSIONS)}"
                    f" (for time use grain: {', '.join(GRAINS)})"
                )
        if len(set(group_by)) != len(group_by):
            raise ValueError("group_by: a dimension is named twice")
        return group_by

    @model_validator(mode="after")
    def _answerable(self) -> Query:
        columns = set(self.group_by) | {f.dimension for f in self.filters}
        if source_for(list(self.metrics), columns) is None:
            for metric in self.metrics:
                missing = sorted(columns - dimensions_of(metric))
                if missing:
                    raise ValueError(
                        f"metric {metric!r} cannot be broken down or filtered by "
                        f"{', '.join(missing)}"
                    )
            raise ValueError(
                f"metrics {', '.join(self.metrics)} come from different activity and cannot "
                "be answered together: ask for them separately"
            )
        if self.limit is not None and self.order is None:
            raise ValueError("limit: a top or bottom N needs an order (desc or asc)")
        if self.limit is not None and self.grain is not None:
            raise ValueError(
                "limit: a top N cannot be split by a time grain; ask for the top N, then for "
                "their figures per day, week or month"
            )
        if self.compare_previous and self.time_range is None:
            raise ValueError("compare_previous: a comparison needs a time range")
        if self.compare_previous and self.grain is not None:
            raise ValueError("compare_previous: cannot compare periods and split by grain at once")
        if self.rank_by == "change" and not self.compare_previous:
            raise ValueError("rank_by: ranking by change needs compare_previous")
        return self

    def key(self) -> tuple[object, ...]:
        """What the query means, for comparing two queries (the time range's label aside)."""
        return (
            frozenset(self.metrics),
            frozenset(self.group_by),
            self.grain,
            (self.time_range.start, self.time_range.end) if self.time_range else None,
            frozenset((f.dimension, frozenset(f.values)) for f in self.filters),
            self.order,
            self.limit,
            self.compare_previous,
            self.rank_by,
        )


def parse_query(data: object) -> Query:
    """A Query from untrusted data (an API body, an LLM's output), or QueryError saying why not."""
    try:
        if isinstance(data, str | bytes):
            return Query.model_validate_json(data)
        return Query.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'query'}: {e['msg']}" for e in error.errors()
        )
        raise QueryError(f"invalid query: {problems}") from None
