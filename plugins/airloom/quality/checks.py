"""Declarative data-quality checks: what a workflow designer writes, as pydantic models.

A check is one entry of a list, told apart by its ``check`` kind. Row-level checks (not_null,
unique, range, allowed_values, regex) name the rows that fail them, so those rows can be
quarantined; dataset-level checks (schema, row_count, freshness) judge the dataset as a whole.
Each check is ``warn`` (reported, the run goes on) or ``fail`` (reported, then the run stops).
This module only describes checks; :mod:`airloom.quality.engine` evaluates them with pandera.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

Severity = Literal["warn", "fail"]
ColumnName = Annotated[str, Field(min_length=1)]


class _Check(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    row_level: ClassVar[bool] = True

    name: str | None = Field(
        default=None,
        min_length=1,
        description="Name shown in reports and in quarantined rows; default '<check>(<columns>)'.",
    )
    severity: Severity = Field(
        default="fail", description="'fail' stops the run after reporting; 'warn' only reports."
    )

    @property
    def kind(self) -> str:
        return self.check  # type: ignore[attr-defined]

    @property
    def columns_involved(self) -> tuple[str, ...]:
        """Every column the check reads, in the order the designer wrote them."""
        column = getattr(self, "column", None)
        return (column,) if column else tuple(getattr(self, "columns", ()))

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        columns = ",".join(self.columns_involved)
        return f"{self.kind}({columns})" if columns else self.kind


class SchemaCheck(_Check):
    """Columns exist with the given pandas dtypes (int64, float64, str, bool, datetime64[ns]…)."""

    row_level: ClassVar[bool] = False
    check: Literal["schema"]
    columns: dict[ColumnName, Annotated[str, Field(min_length=1)]] = Field(
        min_length=1, description="Column name → expected dtype."
    )


class NotNullCheck(_Check):
    """Every value of each column is present."""

    check: Literal["not_null"]
    columns: list[ColumnName] = Field(min_length=1)


class UniqueCheck(_Check):
    """No two rows share the same values in these columns (taken together)."""

    check: Literal["unique"]
    columns: list[ColumnName] = Field(min_length=1)


class RangeCheck(_Check):
    """Values lie between ``min`` and ``max`` (missing values are left to not_null)."""

    check: Literal["range"]
    column: ColumnName
    min: float | None = None
    max: float | None = None
    inclusive: bool = Field(default=True, description="Whether the bounds themselves are allowed.")

    @model_validator(mode="after")
    def _bounds(self) -> RangeCheck:
        if self.min is None and self.max is None:
            raise ValueError("a range check needs 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class AllowedValuesCheck(_Check):
    """Values are one of ``values``."""

    check: Literal["allowed_values"]
    column: ColumnName
    values: list[str | int | float | bool] = Field(min_length=1)


class RegexCheck(_Check):
    """Text values match ``pattern`` as a whole (Python regular expression syntax)."""

    check: Literal["regex"]
    column: ColumnName
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return pattern


class RowCountCheck(_Check):
    """The dataset has between ``min`` and ``max`` rows (inclusive)."""

    row_level: ClassVar[bool] = False
    check: Literal["row_count"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> RowCountCheck:
        if self.min is None and self.max is None:
            raise ValueError("a row_count check needs 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class FreshnessCheck(_Check):
    """The newest timestamp in ``column`` is at most ``max_age`` old."""

    row_level: ClassVar[bool] = False
    check: Literal["freshness"]
    column: ColumnName
    max_age: timedelta = Field(
        description="ISO-8601 duration (e.g. 'PT6H', 'P1D') or a number of seconds."
    )
    relative_to: Literal["logical_date", "now"] = Field(
        default="logical_date",
        description="Measure age from the run's logical date (reproducible) or from now.",
    )

    @field_validator("max_age")
    @classmethod
    def _positive(cls, max_age: timedelta) -> timedelta:
        if max_age <= timedelta(0):
            raise ValueError("max_age must be positive")
        return max_age


Check = Annotated[
    SchemaCheck
    | NotNullCheck
    | UniqueCheck
    | RangeCheck
    | AllowedValuesCheck
    | RegexCheck
    | RowCountCheck
    | FreshnessCheck,
    Field(discriminator="check"),
]


def _consistent(checks: list[Check]) -> list[Check]:
    seen: dict[str, int] = {}
    for index, check in enumerate(checks):
        if check.label in seen:
            raise ValueError(
                f"checks {seen[check.label]} and {index} are both named {check.label!r}; "
                "give one of them a distinct 'name'"
            )
        seen[check.label] = index
    dtypes: dict[str, str] = {}
    for check in checks:
        if isinstance(check, SchemaCheck):
            for column, dtype in check.columns.items():
                if dtypes.setdefault(column, dtype) != dtype:
                    raise ValueError(
                        f"column {column!r} is given two dtypes: {dtypes[column]!r} and {dtype!r}"
                    )
    return checks


CheckList = Annotated[list[Check], Field(min_length=1), AfterValidator(_consistent)]
