"""The declarative check spec: what a designer can write, and the mistakes it refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from airloom.quality.checks import CheckList, FreshnessCheck, RangeCheck

CHECKS = TypeAdapter(CheckList)


def test_each_kind_is_told_apart_by_its_check_field() -> None:
    checks = CHECKS.validate_python(
        [
            {"check": "range", "column": "amount", "min": 0},
            {"check": "freshness", "column": "ts", "max_age": "PT6H", "severity": "warn"},
            {"check": "freshness", "column": "ts", "max_age": 90, "name": "fresh-90s"},
        ]
    )
    assert isinstance(checks[0], RangeCheck) and checks[0].severity == "fail"
    assert isinstance(checks[1], FreshnessCheck) and checks[1].max_age == timedelta(hours=6)
    assert checks[2].max_age == timedelta(seconds=90)
    assert [c.label for c in checks] == ["range(amount)", "freshness(ts)", "fresh-90s"]


@pytest.mark.parametrize(
    ("check", "complaint"),
    [
        ({"check": "range", "column": "x"}, "needs 'min', 'max' or both"),
        ({"check": "range", "column": "x", "min": 5, "max": 1}, "greater than max"),
        ({"check": "regex", "column": "x", "pattern": "(unclosed"}, "not a valid regular expr"),
        ({"check": "row_count", "min": -1}, "greater than or equal to 0"),
        ({"check": "freshness", "column": "ts", "max_age": "soon"}, "duration"),
        ({"check": "not_null", "columns": []}, "at least 1 item"),
        ({"check": "between", "column": "x"}, "does not match any of the expected tags"),
        ({"check": "unique", "columns": ["id"], "severity": "error"}, "'warn' or 'fail'"),
    ],
)
def test_a_malformed_check_is_refused_with_a_reason(check: dict, complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        CHECKS.validate_python([check])


def test_two_checks_with_one_name_or_two_dtypes_for_one_column_are_refused() -> None:
    with pytest.raises(ValidationError, match="both named 'not_null\\(id\\)'"):
        CHECKS.validate_python(
            [{"check": "not_null", "columns": ["id"]}, {"check": "not_null", "columns": ["id"]}]
        )
    with pytest.raises(ValidationError, match="two dtypes"):
        CHECKS.validate_python(
            [
                {"check": "schema", "columns": {"id": "int64"}},
                {"check": "schema", "columns": {"id": "str"}, "name": "again"},
            ]
        )
