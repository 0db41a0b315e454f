"""A Query in words ("Cost per workflow, last week (Mon 23 Nov to Sun 29 Nov 2026)") and the
chart that suits its answer, so a person can check what was understood before trusting it."""

from __future__ import annotations

from typing import Literal

from insights.questions.periods import describe_range, previous_period
from insights.questions.query import Query
from insights.questions.semantic import DIMENSIONS, METRICS

Chart = Literal["line", "bar", "number", "table"]


def suggest_chart(query: Query) -> Chart:
    """A line over time, bars across a dimension, one number for a single value."""
    if query.grain:
        return "line"
    if len(query.group_by) == 1:
        return "bar"
    if query.group_by:
        return "table"
    return "number"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _lower_first(label: str) -> str:
    """'Cost' → 'cost' after the first metric, but 'API calls' and 'ROI' stay as they are."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def describe_query(query: Query) -> str:
    """The query in plain English, time range spelled out in days."""
    labels = [METRICS[m].label for m in query.metrics]
    text = _join([labels[0], *[_lower_first(label) for label in labels[1:]]])
    for dimension in query.group_by:
        text += f" per {DIMENSIONS[dimension].label}"
    if query.grain:
        text += f" per {query.grain}"
    for row_filter in query.filters:
        values = _join([f"'{v}'" for v in row_filter.values]).replace(" and ", " or ")
        text += f", {DIMENSIONS[row_filter.dimension].label} {values}"
    if query.order and query.group_by:
        extreme = "top" if query.order == "desc" else "bottom"
        metric = METRICS[query.metrics[0]].label.lower()
        what = f"change in {metric}" if query.rank_by == "change" else metric
        if query.limit:
            text += f", {extreme} {query.limit} by {what}"
        else:
            text += f", {'highest' if query.order == 'desc' else 'lowest'} {what} first"
    if query.time_range:
        period = describe_range(query.time_range)
        label = query.time_range.label
        text += f", {label} ({period})" if label else f", {period}"
        if query.compare_previous:
            text += f", compared with {describe_range(previous_period(query.time_range))}"
    else:
        text += ", all time"
    return text
