"""How figures read in a report, the same in HTML and PDF."""

from __future__ import annotations


def money(amount: float) -> str:
    """``$1,234.56``; cents matter at the notional local rates, so two decimals always."""
    return f"${amount:,.2f}"


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.1%}"


def roi(value: float | None) -> str:
    """ROI as a percentage return on cost; n/a when nothing cost anything."""
    return "n/a" if value is None else f"{value:+.0%}"


def count(number: int) -> str:
    return f"{number:,}"


def change(current: float, previous: float | None) -> str:
    """``+12% on last week``, or nothing to compare with."""
    if previous is None:
        return ""
    if previous == 0:
        return "new this week" if current else "none either week"
    return f"{(current - previous) / previous:+.0%} on last week"
