"""Date phrases in a question → a time range, relative to a given "now" (UTC).

The grammar is a handful of regular expressions over the normalised (lower-case) question,
each turning one phrase into a half-open range of whole days:

- ``today``, ``yesterday``; ``this week|month|quarter|year`` (so far, today included);
- ``last|previous week|month|quarter|year`` (the calendar period before this one);
- ``in the last|past N days|weeks|months`` (N units up to and including today);
- ``in the last 24 hours``, ``the past hour`` (up to now);
- ``since March``, ``since 1 March 2026``, ``since 2026-03-01`` (up to and including today);
- ``in March``, ``in March 2026``, ``in 2025``, ``on 3 March`` (that calendar period);
- ``between 1 March and 15 March``, ``from March to May`` (both ends included);
- ``Q3``, ``Q1 2026`` (that quarter); ``since Monday``, ``on Tuesday``, ``last Friday`` (the
  latest such day before today);
- comparisons: ``compared with the previous month``, ``vs last week``, ``week over week``.

A month named without a year is its latest occurrence not after today: in December 2026
"March" is March 2026, in February 2026 it is March 2025.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from insights.questions.periods import add_months, midnight
from insights.questions.query import TimeRange

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "thirty": 30,
    "ninety": 90,
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = r"(" + "|".join(WEEKDAYS) + r")\b"
_NUMBER = r"(\d{1,3}|" + "|".join(NUMBER_WORDS) + ")"
_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
_UNIT = r"(day|week|month|quarter|year)s?"
# A date: 2026-03-01 | 1 march [2026] | 1st of march | march 1[st] [2026] | march [2026]
_DATE = (
    r"(\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:\s+\d{{4}})?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:\s+\d{{4}})?"
    rf"|{_MONTH}(?:\s+\d{{4}})?)"
)


@dataclass(frozen=True)
class Phrase:
    """A phrase found in the question and the characters it spans there."""

    start: int
    end: int


@dataclass(frozen=True)
class RangePhrase(Phrase):
    range: TimeRange


@dataclass(frozen=True)
class ComparisonPhrase(Phrase):
    unit: str  # week, month, quarter, year or period: what "previous" refers to


def number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _period_start(today: date, unit: str) -> date:
    if unit == "day":
        return today
    if unit == "week":
        return today - timedelta(days=today.weekday())
    if unit == "month":
        return today.replace(day=1)
    if unit == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return date(today.year, 1, 1)


def _step(day: date, unit: str, count: int) -> date:
    if unit == "day":
        return day + timedelta(days=count)
    if unit == "week":
        return day + timedelta(weeks=count)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    return add_months(day, months * count)


def _span(start: date, end: date, label: str) -> TimeRange:
    return TimeRange(start=midnight(start), end=midnight(end), label=label)


def parse_date(text: str, today: date) -> tuple[date, str]:
    """A date phrase → its first day and its precision (``day``, ``month``).

    A date without a year is the latest such date not after today.
    """
    text = text.strip().rstrip(".")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text), "day"
    year_match = re.search(r"\b(\d{4})$", text)
    year = int(year_match.group(1)) if year_match else None
    words = re.sub(r"\b\d{4}$", "", text).replace(" of ", " ").split()
    month = next(MONTHS[w.rstrip(".")] for w in words if w.rstrip(".") in MONTHS)
    days = [int(re.sub(r"\D", "", w)) for w in words if re.match(r"\d{1,2}(st|nd|rd|th)?$", w)]
    day = days[0] if days else 1
    if year is None:
        year = today.year
        if date(year, month, min(day, 28)) > today:
            year -= 1
    return date(year, month, day), "day" if days else "month"


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def find_comparison(text: str) -> ComparisonPhrase | None:
    """A phrase asking to compare with the period before, if the question has one."""
    unit = _UNIT.replace("(", "(?P<unit>", 1)
    patterns = [
        rf"\b(?:compared?|comparing)\s+(?:with|to|against)\s+(?:the\s+)?"
        rf"(?:previous|prior|preceding|last|past)\s+{unit}",
        rf"\b(?:compared?|comparing)\s+(?:with|to|against)\s+(?:the\s+)?{unit}\s+before",
        rf"\b(?:vs\.?|versus|than)\s+(?:the\s+)?{unit}\s+before",
        rf"\b(?:vs\.?|versus|than)\s+(?:the\s+)?(?:previous|prior|preceding|last)\s+"
        rf"{unit}",
        r"\b(?P<unit>day|week|month|quarter|year)\s+(?:over|on)\s+(?P=unit)\b",
        r"\b(?:compared?|comparing)\s+(?:with|to)\s+(?:the\s+)?(?:previous|prior|preceding)"
        r"\s+(?P<unit>period)\b",
        r"\b(?:vs\.?|versus)\s+(?:the\s+)?(?:previous|prior|preceding)\s+(?P<unit>period)\b",
    ]
    for pattern in patterns:
        match = re.search(pattern, text)
        if match:
            return ComparisonPhrase(match.start(), match.end(), match.group("unit"))
    return None


def _today(match: re.Match[str], now: datetime) -> TimeRange:
    day = now.date() if match.group(1) == "today" else now.date() - timedelta(days=1)
    return _span(day, day + timedelta(days=1), match.group(1))


def _this(match: re.Match[str], now: datetime) -> TimeRange:
    unit = match.group(1)
    return _span(_period_start(now.date(), unit), _tomorrow(now), f"this {unit}")


def _last_n(match: re.Match[str], now: datetime) -> TimeRange:
    count, unit = number(match.group(1)), match.group(2)
    end = _tomorrow(now)
    return _span(_step(end, unit, -count), end, f"the last {count} {unit}s")


def _last_hours(match: re.Match[str], now: datetime) -> TimeRange:
    hours = number(match.group(1)) if match.group(1) else 1
    label = f"the last {hours} hours" if hours > 1 else "the last hour"
    return TimeRange(start=now - timedelta(hours=hours), end=now, label=label)


def _past(match: re.Match[str], now: datetime) -> TimeRange:
    unit = match.group(1)  # "the past week": the last 7 days, today included
    end = _tomorrow(now)
    return _span(_step(end, unit, -1), end, f"the past {unit}")


def _previous(match: re.Match[str], now: datetime) -> TimeRange:
    unit = match.group(1)
    current = _period_start(now.date(), unit)
    return _span(_step(current, unit, -1), current, f"last {unit}")


def _since(match: re.Match[str], now: datetime) -> TimeRange | None:
    first, _ = parse_date(match.group(1), now.date())
    return _span(first, _tomorrow(now), f"since {_day_label(first)}")


def _between(match: re.Match[str], now: datetime) -> TimeRange:
    first, _ = parse_date(match.group("first"), now.date())
    last, precision = parse_date(match.group("last"), now.date())
    end = last + timedelta(days=1) if precision == "day" else add_months(last, 1)
    return _span(first, end, f"{_day_label(first)} to {_day_label(end - timedelta(days=1))}")


def _in(match: re.Match[str], now: datetime) -> TimeRange:
    first, precision = parse_date(match.group(1), now.date())
    end = first + timedelta(days=1) if precision == "day" else add_months(first, 1)
    label = _day_label(first) if precision == "day" else f"{first:%B %Y}"
    return _span(first, end, label)


def _quarter(match: re.Match[str], now: datetime) -> TimeRange:
    start = date(int(match.group(2) or now.year), 3 * int(match.group(1)) - 2, 1)
    if start > now.date() and not match.group(2):
        start = start.replace(year=start.year - 1)
    return _span(start, add_months(start, 3), f"Q{match.group(1)} {start.year}")


def _weekday(match: re.Match[str], now: datetime) -> TimeRange:
    # The latest such weekday before today ("since monday" on a Thursday: this Monday).
    back = (now.weekday() - WEEKDAYS.index(match.group(2))) % 7 or 7
    day = now.date() - timedelta(days=back)
    end = _tomorrow(now) if match.group(1) == "since" else day + timedelta(days=1)
    return _span(day, end, f"{match.group(1)} {day:%A} {_day_label(day)}")


def _year(match: re.Match[str], now: datetime) -> TimeRange:
    year = int(match.group(1))
    return _span(date(year, 1, 1), date(year + 1, 1, 1), str(year))


def _tomorrow(now: datetime) -> date:
    return now.date() + timedelta(days=1)


_LEAD = r"\b(?:(?:in|over|during|for)\s+)?(?:the\s+)?"
GRAMMAR: list[tuple[re.Pattern[str], Callable[[re.Match[str], datetime], TimeRange | None]]] = [
    (re.compile(r"\b(today|yesterday)\b"), _today),
    (re.compile(rf"{_LEAD}(?:this|current)\s+{_UNIT}(?:\s+so\s+far)?\b"), _this),
    (re.compile(r"\b(week|month|quarter|year)[\s-]+to[\s-]+date\b"), _this),
    (re.compile(rf"{_LEAD}(?:last|past|previous)\s+{_NUMBER}\s+{_UNIT}"), _last_n),
    (re.compile(rf"{_LEAD}(?:last|past|previous)\s+(?:{_NUMBER}\s+)?hours?\b"), _last_hours),
    (re.compile(rf"{_LEAD}past\s+{_UNIT}\b"), _past),
    (re.compile(rf"{_LEAD}(?:last|previous|prior)\s+{_UNIT}\b"), _previous),
    (re.compile(rf"\bsince\s+{_DATE}"), _since),
    (
        re.compile(
            rf"\b(?:between|from)\s+(?P<first>{_DATE})\s+(?:and|to|until|till)\s+(?P<last>{_DATE})"
        ),
        _between,
    ),
    (re.compile(rf"\b(?:in|during|for|on)\s+{_DATE}"), _in),
    (re.compile(r"\b(?:(?:in|during|for)\s+)?q([1-4])(?:\s+(\d{4}))?\b"), _quarter),
    (re.compile(rf"\b(since|on|last)\s+{_WEEKDAY}"), _weekday),
    (re.compile(r"\b(?:in|during)\s+(\d{4})\b"), _year),
]


def find_range(text: str, now: datetime) -> RangePhrase | None:
    """The first date phrase in ``text`` and the range it means, relative to ``now`` (naive
    UTC). A phrase that names no real range ("since 31 February", "the last 0 days", a date
    to come) is no date phrase: its words stay in the question, which is then not understood.
    """
    found: list[RangePhrase] = []
    for pattern, meaning in GRAMMAR:
        for match in pattern.finditer(text):
            try:
                time_range = meaning(match, now)
            except (ValueError, OverflowError):  # no such day, or start not before end
                continue
            if time_range is not None and time_range.start <= now:
                found.append(RangePhrase(match.start(), match.end(), time_range))
    if not found:
        return None
    # The longest phrase at the earliest place wins ("between 1 march and ..." over "1 march").
    return min(found, key=lambda phrase: (phrase.start, phrase.start - phrase.end))
