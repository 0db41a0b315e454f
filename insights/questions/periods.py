"""Calendar arithmetic for time ranges: month steps, the previous period, ranges in words."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

from insights.questions.query import TimeRange

EN_DASH = "\u2013"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def utc_naive(moment: datetime) -> datetime:
    """A moment as the read model keeps times: UTC, without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_period(current: TimeRange) -> TimeRange:
    """The period a comparison is made against.

    Calendar months compare with calendar months (November with October, this month so far with
    the same days of last month), this week so far with the same days of last week, every other
    range with the same length just before it.
    """
    start, end = current.start, current.end
    starts_a_month = start.day == 1 and start.time() == time()
    if starts_a_month:
        months = (end.year - start.year) * 12 + end.month - start.month
        whole_months = end.day == 1 and end.time() == time()
        if whole_months or months == 0 or (months == 1 and end.date() <= add_months(start, 1)):
            step = max(months, 1) if whole_months else 1
            return TimeRange(
                start=midnight(add_months(start.date(), -step)),
                end=datetime.combine(add_months(end.date(), -step), end.time()),
            )
    length = end - start
    if start.weekday() == 0 and start.time() == time() and length <= timedelta(days=7):
        # This week so far compares with the same days of last week.
        return TimeRange(start=start - timedelta(days=7), end=end - timedelta(days=7))
    return TimeRange(start=start - length, end=start)


def describe_range(period: TimeRange) -> str:
    """'Mon 23 Nov \u2013 Sun 29 Nov 2026': the days a range covers, its end shown inclusive;
    with times ('Wed 2 Dec 08:00 \u2013 Thu 3 Dec 08:00 2026 UTC') when it is not whole days."""
    whole_days = period.start.time() == time() and period.end.time() == time()
    if not whole_days:
        first, last = period.start, period.end
        head = f"{first:%a} {first.day} {first:%b %H:%M}"
        if first.year != last.year:
            head += f" {first.year}"
        return f"{head} {EN_DASH} {last:%a} {last.day} {last:%b %H:%M %Y} UTC"
    first = period.start.date()
    last = (period.end - timedelta(microseconds=1)).date()
    if first == last:
        return f"{first:%a} {first.day} {first:%b %Y}"
    head = f"{first:%a} {first.day} {first:%b}"
    if first.year != last.year:
        head += f" {first.year}"
    return f"{head} {EN_DASH} {last:%a} {last.day} {last:%b %Y}"
