"""Date phrases, top-N and comparisons, relative to a fixed now: Thursday 3 December 2026."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from insights.questions.dates import find_comparison, find_range, parse_date
from insights.questions.periods import describe_range, previous_period
from insights.questions.query import TimeRange
from insights.questions.translator import OfflineTranslator, QuestionContext

NOW = datetime(2026, 12, 3, 8, 30)


def days(start: str, end: str) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(start), datetime.fromisoformat(end)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("today", days("2026-12-03", "2026-12-04")),
        ("yesterday", days("2026-12-02", "2026-12-03")),
        ("this week", days("2026-11-30", "2026-12-04")),
        ("last week", days("2026-11-23", "2026-11-30")),
        ("the previous week", days("2026-11-23", "2026-11-30")),
        ("this month", days("2026-12-01", "2026-12-04")),
        ("month to date", days("2026-12-01", "2026-12-04")),
        ("last month", days("2026-11-01", "2026-12-01")),
        ("last quarter", days("2026-07-01", "2026-10-01")),
        ("last year", days("2025-01-01", "2026-01-01")),
        ("in the last 30 days", days("2026-11-04", "2026-12-04")),
        ("over the past two weeks", days("2026-11-20", "2026-12-04")),
        ("the past week", days("2026-11-27", "2026-12-04")),
        ("in the last 3 months", days("2026-09-04", "2026-12-04")),
        ("since march", days("2026-03-01", "2026-12-04")),
        ("since 15 november", days("2026-11-15", "2026-12-04")),
        ("since 2026-10-05", days("2026-10-05", "2026-12-04")),
        ("in march", days("2026-03-01", "2026-04-01")),
        ("during december 2025", days("2025-12-01", "2026-01-01")),
        ("in 2025", days("2025-01-01", "2026-01-01")),
        ("on 5 nov", days("2026-11-05", "2026-11-06")),
        ("between 1 march and 15 march", days("2026-03-01", "2026-03-16")),
        ("from september to november", days("2026-09-01", "2026-12-01")),
        ("in q3", days("2026-07-01", "2026-10-01")),
        ("q4 2025", days("2025-10-01", "2026-01-01")),
        ("since monday", days("2026-11-30", "2026-12-04")),
        ("last friday", days("2026-11-27", "2026-11-28")),
        ("on thursday", days("2026-11-26", "2026-11-27")),
    ],
)
def test_date_phrases(phrase: str, expected: tuple[datetime, datetime]) -> None:
    found = find_range(f"cost {phrase} per workflow", NOW)
    assert found is not None
    assert (found.range.start, found.range.end) == expected
    assert f"cost {phrase} per workflow"[found.start : found.end].strip() == phrase


def test_hours_count_back_from_now() -> None:
    found = find_range("errors in the last 24 hours", NOW)
    assert found is not None
    assert (found.range.start, found.range.end) == (datetime(2026, 12, 2, 8, 30), NOW)


def test_now_in_another_zone_is_taken_as_utc() -> None:
    from datetime import timedelta, timezone

    tokyo = NOW.replace(tzinfo=UTC).astimezone(timezone(timedelta(hours=9)))
    answer = OfflineTranslator().translate("runs today", QuestionContext("acme", tokyo))
    assert answer.interpretation is not None and answer.interpretation.query.time_range
    assert answer.interpretation.query.time_range.start == datetime(2026, 12, 3)


def test_a_month_without_a_year_is_its_latest_occurrence_not_after_today() -> None:
    assert parse_date("december", NOW.date())[0].year == 2026
    assert parse_date("march", datetime(2026, 2, 10).date())[0].year == 2025


def test_no_date_phrase_means_no_range() -> None:
    assert find_range("cost per workflow", NOW) is None


@pytest.mark.parametrize(
    ("phrase", "unit"),
    [
        ("compared with the previous month", "month"),
        ("compared to last week", "week"),
        ("vs the prior quarter", "quarter"),
        ("week over week", "week"),
        ("versus the previous period", "period"),
    ],
)
def test_comparison_phrases(phrase: str, unit: str) -> None:
    found = find_comparison(f"cost per workflow {phrase}")
    assert found is not None and found.unit == unit


@pytest.mark.parametrize(
    ("current", "previous"),
    [
        (days("2026-11-01", "2026-12-01"), days("2026-10-01", "2026-11-01")),  # a month
        (days("2026-12-01", "2026-12-04"), days("2026-11-01", "2026-11-04")),  # month so far
        (days("2026-11-30", "2026-12-04"), days("2026-11-23", "2026-11-27")),  # week so far
        (days("2026-11-23", "2026-11-30"), days("2026-11-16", "2026-11-23")),  # a week
        (days("2026-11-04", "2026-12-04"), days("2026-10-05", "2026-11-04")),  # 30 days
    ],
)
def test_the_previous_period(current: tuple, previous: tuple) -> None:  # type: ignore[type-arg]
    found = previous_period(TimeRange(start=current[0], end=current[1]))
    assert (found.start, found.end) == previous


def test_ranges_in_words_show_the_last_day_inclusive() -> None:
    last_week = TimeRange(start=datetime(2026, 11, 23), end=datetime(2026, 11, 30))
    assert describe_range(last_week) == "Mon 23 Nov \u2013 Sun 29 Nov 2026"


CONTEXT = QuestionContext(tenant="acme", now=NOW, names={"workflow": ["churn"]})


@pytest.mark.parametrize(
    ("question", "order", "limit"),
    [
        ("top 3 workflows by cost", "desc", 3),
        ("top three workflows by cost", "desc", 3),
        ("bottom 2 workflows by cost", "asc", 2),
        ("the 5 slowest workflows", "desc", 5),
        ("which workflow cost the most", "desc", 1),
        ("cheapest workflow", "asc", 1),
        ("cost per workflow", None, None),
    ],
)
def test_top_n(question: str, order: str | None, limit: int | None) -> None:
    answer = OfflineTranslator().translate(question, CONTEXT)
    assert answer.interpretation is not None, answer.message
    assert (answer.interpretation.query.order, answer.interpretation.query.limit) == (order, limit)


def test_a_bare_comparison_is_about_this_period_so_far() -> None:
    answer = OfflineTranslator().translate("runs month over month", CONTEXT)
    assert answer.interpretation is not None
    query = answer.interpretation.query
    assert query.compare_previous
    assert query.time_range is not None
    assert (query.time_range.start, query.time_range.end) == days("2026-12-01", "2026-12-04")


NEW_YEAR = datetime(2027, 1, 1, 0, 30)  # a Friday, just after midnight


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("last month", days("2026-12-01", "2027-01-01")),
        ("last year", days("2026-01-01", "2027-01-01")),
        ("last quarter", days("2026-10-01", "2027-01-01")),
        ("this week", days("2026-12-28", "2027-01-02")),
        ("yesterday", days("2026-12-31", "2027-01-01")),
        ("since march", days("2026-03-01", "2027-01-02")),
        ("in december", days("2026-12-01", "2027-01-01")),
        ("in the last 7 days", days("2026-12-26", "2027-01-02")),
    ],
)
def test_dates_across_the_new_year(phrase: str, expected: tuple[datetime, datetime]) -> None:
    found = find_range(phrase, NEW_YEAR)
    assert found is not None and (found.range.start, found.range.end) == expected


def test_last_month_compares_with_the_month_before_across_the_year() -> None:
    december = TimeRange(start=datetime(2026, 12, 1), end=datetime(2027, 1, 1))
    found = previous_period(december)
    assert (found.start, found.end) == days("2026-11-01", "2026-12-01")
    january = TimeRange(start=datetime(2027, 1, 1), end=datetime(2027, 2, 1))
    assert previous_period(january).start == datetime(2026, 12, 1)
