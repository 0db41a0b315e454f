"""Evaluate declarative checks with pandera, and trace every failure back to its check and rows.

All checks become one ``pandera.pandas.DataFrameSchema`` validated lazily, so a single pass
collects every failure. pandera reports failures per column and check position; this module
keeps a map from those positions back to the designer's checks, so each failing row is
quarantined with the names of the checks it failed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from airloom.quality.checks import (
    AllowedValuesCheck,
    Check,
    FreshnessCheck,
    NotNullCheck,
    RangeCheck,
    RegexCheck,
    RowCountCheck,
    SchemaCheck,
    UniqueCheck,
)
from airloom.quality.report import CheckResult, QualityReport

if TYPE_CHECKING:
    import pandas as pd

MAX_EXAMPLES = 5


class QualitySpecError(ValueError):
    """A check cannot be evaluated as written (e.g. an unknown dtype)."""


@dataclass
class Evaluation:
    report: QualityReport
    # Row index → labels of every check the row failed (warn and fail alike).
    row_failures: dict[int, list[str]]
    # Rows failing at least one 'fail' check: kept out of the validated output.
    quarantined_rows: list[int]


@dataclass
class _Outcome:
    rows: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    dataset_failed: bool = False  # a dataset-level check said no (no rows to name)


@dataclass
class _Plan:
    """The pandera schema and how its check positions map back to the designer's checks."""

    schema: Any
    column_checks: dict[tuple[str, int], Check]
    frame_checks: list[Check]


def _element_check(check: Check) -> Any:
    import pandera.pandas as pa

    if isinstance(check, RangeCheck):
        low, high = check.min, check.max
        if low is not None and high is not None:
            return pa.Check.in_range(
                low, high, include_min=check.inclusive, include_max=check.inclusive
            )
        if low is not None:
            return pa.Check.ge(low) if check.inclusive else pa.Check.gt(low)
        return pa.Check.le(high) if check.inclusive else pa.Check.lt(high)
    if isinstance(check, AllowedValuesCheck):
        return pa.Check.isin(check.values)
    if isinstance(check, RegexCheck):
        pattern = check.pattern
        return pa.Check(
            lambda values: values.astype("string").str.fullmatch(pattern).fillna(False).astype(bool)
        )
    raise TypeError(f"{check.kind} is not an element check")


def _frame_check(check: Check, reference: datetime | None) -> Any:
    import pandera.pandas as pa

    columns = list(check.columns_involved)

    def present(frame: pd.DataFrame) -> bool:  # a missing column is reported on its own
        return all(column in frame.columns for column in columns)

    if isinstance(check, UniqueCheck):
        return pa.Check(
            lambda frame: ~frame.duplicated(subset=columns, keep=False) if present(frame) else True
        )
    if isinstance(check, RowCountCheck):
        low, high = check.min or 0, check.max if check.max is not None else math.inf
        return pa.Check(lambda frame: low <= len(frame) <= high)
    if isinstance(check, FreshnessCheck):
        return pa.Check(
            lambda frame: not present(frame) or _fresh(frame[check.column], check, reference)
        )
    raise TypeError(f"{check.kind} is not a dataset check")


def _newest(values: pd.Series) -> pd.Timestamp | None:
    import pandas as pd

    newest = pd.to_datetime(values, utc=True, errors="coerce").max()
    return None if pd.isna(newest) else newest


def _fresh(values: pd.Series, check: FreshnessCheck, reference: datetime | None) -> bool:
    newest = _newest(values)
    return newest is not None and reference is not None and reference - newest <= check.max_age


def _plan(checks: Sequence[Check], reference_times: dict[str, datetime | None]) -> _Plan:
    import pandera.pandas as pa
    from pandera.engines import pandas_engine

    specs: dict[str, dict[str, Any]] = {}
    column_checks: dict[tuple[str, int], Check] = {}
    frame_checks: list[Check] = []

    def spec(column: str) -> dict[str, Any]:
        return specs.setdefault(column, {"dtype": None, "nullable": True, "checks": []})

    for check in checks:
        for column in check.columns_involved:
            spec(column)  # every referenced column must exist
        if isinstance(check, SchemaCheck):
            for column, dtype in check.columns.items():
                try:
                    spec(column)["dtype"] = pandas_engine.Engine.dtype(dtype)
                except TypeError as exc:
                    raise QualitySpecError(
                        f"check {check.label!r}: column {column!r} has unknown dtype {dtype!r} "
                        f"({exc}); use a pandas dtype such as int64, float64, str, bool or "
                        "datetime64[ns, UTC]"
                    ) from None
        elif isinstance(check, NotNullCheck):
            for column in check.columns:
                spec(column)["nullable"] = False
        elif isinstance(check, RangeCheck | AllowedValuesCheck | RegexCheck):
            column_spec = spec(check.column)
            column_checks[(check.column, len(column_spec["checks"]))] = check
            column_spec["checks"].append(_element_check(check))
        else:
            frame_checks.append(check)
    schema = pa.DataFrameSchema(
        {name: pa.Column(**values, required=True, coerce=False) for name, values in specs.items()},
        checks=[
            _frame_check(c, reference_times.get(getattr(c, "relative_to", "")))
            for c in frame_checks
        ],
    )
    return _Plan(schema, column_checks, frame_checks)


def evaluate(
    frame: pd.DataFrame,
    checks: Sequence[Check],
    *,
    dataset: str = "",
    logical_date: datetime | None = None,
    now: datetime | None = None,
) -> Evaluation:
    """Run every check over ``frame`` at once; report each and name the rows each one failed.

    :param logical_date: the run's logical date, which freshness is measured from by default
        (``now`` when the run has none).
    """
    import pandera.pandas as pa

    now = now or datetime.now(UTC)
    references = {"logical_date": logical_date or now, "now": now}
    frame = frame.reset_index(drop=True)
    plan = _plan(checks, references)
    outcomes = {check.label: _Outcome() for check in checks}
    try:
        with warnings.catch_warnings():  # pandera's own concat of failure cases (pandas 2.x)
            warnings.simplefilter("ignore", FutureWarning)
            plan.schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        for failure in errors.failure_cases.to_dict("records"):
            for check, problem in _culprits(failure, plan, checks, frame):
                _record(outcomes[check.label], failure, problem)

    results = [_result(check, outcomes[check.label], frame, references) for check in checks]
    row_failures: dict[int, list[str]] = {}
    quarantined: set[int] = set()
    for check in checks:
        for row in outcomes[check.label].rows:
            row_failures.setdefault(row, []).append(check.label)
            if check.severity == "fail":
                quarantined.add(row)
    report = QualityReport(
        dataset=dataset,
        row_count=len(frame),
        checks=results,
        quarantined_rows=len(quarantined),
        created_at=now.isoformat(),
    )
    return Evaluation(report, row_failures, sorted(quarantined))


def _culprits(
    failure: dict[str, Any], plan: _Plan, checks: Sequence[Check], frame: pd.DataFrame
) -> list[tuple[Check, str | None]]:
    """The designer's checks a pandera failure belongs to, each with a problem if dataset-wide."""
    import pandas as pd

    kind, column, number = failure["check"], failure["column"], failure["check_number"]
    if kind == "column_in_dataframe":
        missing = failure["failure_case"]
        return [
            (c, f"column {missing!r} is missing") for c in checks if missing in c.columns_involved
        ]
    if kind == "not_nullable":
        return [(c, None) for c in checks if isinstance(c, NotNullCheck) and column in c.columns]
    if str(kind).startswith("dtype("):
        actual = frame[column].dtype
        return [
            (c, f"column {column!r} is {actual}, expected {c.columns[column]}")
            for c in checks
            if isinstance(c, SchemaCheck) and column in c.columns
        ]
    if pd.isna(number):
        return []
    if failure["schema_context"] == "DataFrameSchema":
        return [(plan.frame_checks[int(number)], None)]
    return [(plan.column_checks[(column, int(number))], None)]


def _record(outcome: _Outcome, failure: dict[str, Any], problem: str | None) -> None:
    import pandas as pd

    index = failure["index"]
    if problem is not None:
        if problem not in outcome.problems:
            outcome.problems.append(problem)
    elif not pd.isna(index):
        outcome.rows.add(int(index))
    elif isinstance(failure["failure_case"], str) and failure["failure_case"]:
        # pandera reports a check that raised (e.g. a range over text) with the error text.
        outcome.problems.append(f"check could not run: {failure['failure_case']}")
    else:
        outcome.dataset_failed = True


def _rule(check: Check) -> str:
    if isinstance(check, NotNullCheck):
        return "must not be null"
    if isinstance(check, UniqueCheck):
        return f"must be unique across ({', '.join(check.columns)})"
    if isinstance(check, RangeCheck):
        bounds = "inclusive" if check.inclusive else "exclusive"
        if check.min is not None and check.max is not None:
            return f"must be between {check.min:g} and {check.max:g} ({bounds})"
        if check.min is not None:
            return f"must be {'>=' if check.inclusive else '>'} {check.min:g}"
        return f"must be {'<=' if check.inclusive else '<'} {check.max:g}"
    if isinstance(check, AllowedValuesCheck):
        return f"must be one of {check.values}"
    if isinstance(check, RegexCheck):
        return f"must match {check.pattern!r}"
    return ""


def _observed(check: Check, frame: pd.DataFrame, references: dict[str, datetime]) -> str:
    """What a dataset-level check saw, for the report whether it passed or not."""
    if isinstance(check, RowCountCheck):
        low = "" if check.min is None else f"at least {check.min}"
        high = "" if check.max is None else f"at most {check.max}"
        return f"{len(frame)} rows; expected {' and '.join(p for p in (low, high) if p)}"
    if isinstance(check, FreshnessCheck):
        reference = references[check.relative_to]
        if check.column not in frame.columns:
            return ""
        newest = _newest(frame[check.column])
        if newest is None:
            return f"column {check.column!r} has no timestamps"
        import pandas as pd

        age, limit = pd.Timedelta(reference - newest).floor("s"), pd.Timedelta(check.max_age)
        return (
            f"newest {check.column} {newest.isoformat()} is {age} old at "
            f"{reference.isoformat()} ({check.relative_to}); at most {limit} allowed"
        )
    if isinstance(check, SchemaCheck):
        return "dtypes as expected: " + ", ".join(f"{c} {t}" for c, t in check.columns.items())
    return ""


def _result(
    check: Check, outcome: _Outcome, frame: pd.DataFrame, references: dict[str, datetime]
) -> CheckResult:
    passed = not (outcome.rows or outcome.problems or outcome.dataset_failed)
    if check.row_level and outcome.rows:
        message = f"{len(outcome.rows)} of {len(frame)} rows fail: values {_rule(check)}"
    elif check.row_level and not outcome.problems:
        message = f"all {len(frame)} rows pass: values {_rule(check)}"
    else:
        message = "; ".join(outcome.problems) or _observed(check, frame, references)
    columns = list(check.columns_involved)
    examples = [
        {"row": row, "value": _example(frame, row, columns)}
        for row in sorted(outcome.rows)[:MAX_EXAMPLES]
    ]
    return CheckResult(
        name=check.label,
        kind=check.kind,
        column=", ".join(columns) or None,
        severity=check.severity,
        passed=passed,
        failed_rows=len(outcome.rows),
        examples=examples,
        message=message,
    )


def _example(frame: pd.DataFrame, row: int, columns: list[str]) -> Any:
    values = {column: _json_safe(frame.at[row, column]) for column in columns}
    return values[columns[0]] if len(columns) == 1 else values


def _json_safe(value: Any) -> Any:
    """A value as JSON can hold it: numbers and text as they are, the rest as text."""
    import numpy as np
    import pandas as pd

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if value is pd.NaT or value is pd.NA:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
