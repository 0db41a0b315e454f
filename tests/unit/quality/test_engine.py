"""Checks evaluated with pandera over small frames: every failure traced to its check and rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from pydantic import TypeAdapter

from airloom.quality.checks import CheckList
from airloom.quality.engine import QualitySpecError, evaluate

LOGICAL_DATE = datetime(2026, 11, 23, 12, tzinfo=UTC)


def checks(*specs: dict) -> list:
    return TypeAdapter(CheckList).validate_python(list(specs))


def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 2, 4, 5],
            "amount": [10.0, -3.0, 50.0, 120.0, None],
            "country": ["FR", "DE", "XX", "FR", "DE"],
            "email": ["a@x.io", "b@x.io", "nope", "d@x.io", "e@x.io"],
            "ts": pd.to_datetime(["2026-11-23T08:00"] * 5, utc=True),
        }
    )


def by_name(evaluation) -> dict:
    return {result.name: result for result in evaluation.report.checks}


def test_every_failing_row_is_named_with_the_checks_it_failed() -> None:
    evaluation = evaluate(
        orders(),
        checks(
            {"check": "not_null", "columns": ["id", "amount"]},
            {"check": "unique", "columns": ["id"]},
            {"check": "range", "column": "amount", "min": 0, "max": 100},
            {"check": "allowed_values", "column": "country", "values": ["FR", "DE"]},
            {
                "check": "regex",
                "column": "email",
                "pattern": r"[^@]+@[^@]+\.io",
                "severity": "warn",
            },
        ),
        dataset="orders",
        logical_date=LOGICAL_DATE,
    )
    assert evaluation.row_failures == {
        1: ["unique(id)", "range(amount)"],
        2: ["unique(id)", "allowed_values(country)", "regex(email)"],
        3: ["range(amount)"],
        4: ["not_null(id,amount)"],
    }
    assert evaluation.quarantined_rows == [1, 2, 3, 4]
    results = by_name(evaluation)
    assert results["range(amount)"].failed_rows == 2
    assert results["range(amount)"].examples == [
        {"row": 1, "value": -3.0},
        {"row": 3, "value": 120.0},
    ]
    assert results["unique(id)"].examples == [{"row": 1, "value": 2}, {"row": 2, "value": 2}]
    assert results["regex(email)"].verdict == "warn"
    assert evaluation.report.status == "failed"


def test_rows_failing_only_warn_checks_are_not_quarantined() -> None:
    evaluation = evaluate(
        orders(),
        checks(
            {
                "check": "allowed_values",
                "column": "country",
                "values": ["FR", "DE"],
                "severity": "warn",
            }
        ),
        logical_date=LOGICAL_DATE,
    )
    assert evaluation.row_failures == {2: ["allowed_values(country)"]}
    assert evaluation.quarantined_rows == []
    assert evaluation.report.status == "warned"
    assert evaluation.report.counts["validated_rows"] == 5


def test_dataset_level_checks_report_without_naming_rows() -> None:
    evaluation = evaluate(
        orders(),
        checks(
            {"check": "row_count", "min": 10},
            {"check": "freshness", "column": "ts", "max_age": "PT2H"},
            {"check": "freshness", "column": "ts", "max_age": "PT6H", "name": "fresh-enough"},
            {"check": "schema", "columns": {"id": "int64", "amount": "int64", "missing": "str"}},
        ),
        logical_date=LOGICAL_DATE,
    )
    results = by_name(evaluation)
    assert evaluation.row_failures == {} and evaluation.quarantined_rows == []
    assert not results["row_count"].passed
    assert results["row_count"].message == "5 rows; expected at least 10"
    assert (
        not results["freshness(ts)"].passed
        and "0 days 04:00:00 old" in results["freshness(ts)"].message
    )
    assert results["fresh-enough"].passed
    schema = results["schema(id,amount,missing)"]
    assert not schema.passed
    assert "column 'amount' is float64, expected int64" in schema.message
    assert "column 'missing' is missing" in schema.message


def test_freshness_can_be_measured_from_now() -> None:
    long_ago = checks(
        {"check": "freshness", "column": "ts", "max_age": 86400, "relative_to": "now"}
    )
    evaluation = evaluate(
        orders(), long_ago, logical_date=LOGICAL_DATE, now=datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert evaluation.report.status == "failed"


def test_a_missing_column_fails_the_checks_that_read_it() -> None:
    evaluation = evaluate(
        orders(),
        checks(
            {"check": "range", "column": "price", "min": 0}, {"check": "unique", "columns": ["sku"]}
        ),
    )
    assert [r.message for r in evaluation.report.checks] == [
        "column 'price' is missing",
        "column 'sku' is missing",
    ]


def test_an_unknown_dtype_is_a_clear_error() -> None:
    with pytest.raises(QualitySpecError, match="'id' has unknown dtype 'integer-ish'"):
        evaluate(orders(), checks({"check": "schema", "columns": {"id": "integer-ish"}}))


def test_the_report_renders_as_json_html_and_a_readable_summary() -> None:
    evaluation = evaluate(
        orders(),
        checks(
            {
                "check": "allowed_values",
                "column": "country",
                "values": ["FR", "DE"],
                "name": "<b>c</b>",
            },
            {"check": "not_null", "columns": ["id"]},
        ),
        dataset="orders",
    )
    document = json.loads(evaluation.report.to_json())
    assert document["status"] == "failed"
    assert document["counts"] == {
        "checks": 2,
        "passed": 1,
        "warned": 0,
        "failed": 1,
        "rows": 5,
        "quarantined_rows": 1,
        "validated_rows": 4,
    }
    assert document["checks"][0]["examples"] == [{"row": 2, "value": "XX"}]
    html = evaluation.report.to_html()
    assert "<table>" in html and "&lt;b&gt;c&lt;/b&gt;" in html  # user text is escaped
    summary = evaluation.report.summary()
    assert summary.startswith("Data quality FAILED for orders: 1 failed")
    assert (
        "FAIL <b>c</b>: 1 of 5 rows fail: values must be one of ['FR', 'DE'] (e.g. row 2: 'XX')"
        in summary
    )
