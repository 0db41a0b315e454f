"""Search the catalog for one tenant: text with relevance, filters, sort, pages and facets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from marketplace.errors import InvalidInput
from marketplace.models import Listing, ListingMetric
from marketplace.search import fulltext

FACETS = ("task", "industry", "framework", "licence", "owner")
# The forms a metric filter and a sort take, published as patterns in the OpenAPI document
# too: written for both Python's and JSON Schema's regular expressions (ASCII classes, no
# named groups), so that what the document promises is exactly what is accepted.
_METRIC_NAME = r"[A-Za-z0-9_./ -]+"
_NUMBER = r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
METRIC_FILTER = rf"^ *({_METRIC_NAME}?) *(>=|<=|>|<|=) *({_NUMBER}) *$"
SORT = rf"^(?:relevance|name|-name|updated|-updated|-?metric:{_METRIC_NAME})$"
_METRIC_FILTER = re.compile(METRIC_FILTER)
_SORTS = ("relevance", "name", "-name", "updated", "-updated")


@dataclass(frozen=True)
class MetricFilter:
    key: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> MetricFilter:
        match = _METRIC_FILTER.match(text)
        if not match:
            raise InvalidInput(
                f"metric filter {text!r} must look like 'roc_auc>0.8' (operators >, >=, <, <=, =)"
            )
        key, op, value = match.groups()
        return cls(key=key, op=op, value=float(value))

    def condition(self) -> ColumnElement[bool]:
        value = ListingMetric.value
        compare = {
            ">": value > self.value,
            ">=": value >= self.value,
            "<": value < self.value,
            "<=": value <= self.value,
            "=": value == self.value,
        }[self.op]
        return exists().where(
            ListingMetric.listing_id == Listing.id, ListingMetric.key == self.key, compare
        )


@dataclass
class SearchQuery:
    q: str | None = None
    task: list[str] = field(default_factory=list)
    industry: list[str] = field(default_factory=list)
    framework: list[str] = field(default_factory=list)
    licence: list[str] = field(default_factory=list)
    owner: list[str] = field(default_factory=list)
    metrics: list[MetricFilter] = field(default_factory=list)
    sort: str | None = None
    page: int = 1
    page_size: int = 20


@dataclass
class SearchResult:
    total: int
    items: list[tuple[Listing, float | None]]
    facets: dict[str, dict[str, int]]


def _check_sort(sort: str) -> None:
    if re.fullmatch(SORT, sort):
        return
    raise InvalidInput(
        f"sort {sort!r} is not one of {', '.join(_SORTS)}, metric:<name> or -metric:<name>"
    )


def search(session: Session, tenant: str, query: SearchQuery) -> SearchResult:
    conditions: list[ColumnElement[bool]] = [Listing.tenant == tenant]
    for name in FACETS:
        values = getattr(query, name)
        if values:
            conditions.append(getattr(Listing, name).in_(values))
    conditions += [metric.condition() for metric in query.metrics]
    match = fulltext.matches(session, query.q) if query.q else None
    matched = match.subquery("matched") if match is not None else None
    default = "relevance" if matched is not None else "-updated"
    sort = default if query.sort is None else query.sort
    _check_sort(sort)

    def filtered(*columns: Any):  # type: ignore[no-untyped-def]
        statement = select(*columns).select_from(Listing)
        if matched is not None:
            statement = statement.join(matched, matched.c.listing_id == Listing.id)
        return statement.where(and_(*conditions))

    total = session.scalar(filtered(func.count())) or 0
    facets = {
        name: {
            value: count
            for value, count in session.execute(
                filtered(getattr(Listing, name), func.count())
                .where(getattr(Listing, name).is_not(None))
                .group_by(getattr(Listing, name))
            )
        }
        for name in FACETS
    }
    score = matched.c.score if matched is not None else None
    statement = filtered(Listing, score) if score is not None else filtered(Listing)
    statement = _order(statement, sort, score).options(selectinload(Listing.versions))
    statement = statement.limit(query.page_size).offset((query.page - 1) * query.page_size)
    rows = session.execute(statement).all()
    items = [(row[0], row[1] if score is not None else None) for row in rows]
    return SearchResult(total=total, items=items, facets=facets)


def _order(statement, sort: str, score):  # type: ignore[no-untyped-def]
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "relevance":
        if score is None:
            return statement.order_by(Listing.mlflow_updated_at.desc(), Listing.name)
        return statement.order_by(score.desc(), Listing.name)
    if key == "name":
        return statement.order_by(Listing.name.desc() if descending else Listing.name)
    if key == "updated":
        column = Listing.mlflow_updated_at
        return statement.order_by(column.desc() if descending else column, Listing.name)
    metric = aliased(ListingMetric)
    statement = statement.outerjoin(
        metric, and_(metric.listing_id == Listing.id, metric.key == key.split(":", 1)[1])
    )
    value = metric.value.desc() if descending else metric.value.asc()
    return statement.order_by(value.nulls_last(), Listing.name)
