"""The catalog: search listings, read a listing, a version and its model card."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import Field

from marketplace.api.deps import CurrentKey, SessionDep
from marketplace.api.params import ModelName, Page, PageSize, VersionNumber, VersionQuery
from marketplace.api.responses import COMMON, Responses, errors
from marketplace.cards import ModelCard, build_card, render_html, render_markdown
from marketplace.catalog.queries import get_listing, get_version
from marketplace.errors import NotFound
from marketplace.schemas import ListingDetail, ListingSummary, SearchPage, VersionDetail
from marketplace.search.service import (
    FACETS,
    METRIC_FILTER,
    SORT,
    MetricFilter,
    SearchQuery,
    search,
)

router = APIRouter(prefix="/models", tags=["catalog"], responses=COMMON)
NOT_FOUND = errors(404)

# Search checks these itself, naming what is wrong; the document shows them, so that a client
# can tell before it asks.
METRIC_FORM = {"pattern": METRIC_FILTER}
SORT_FORM = {"pattern": SORT}
# Repeatable filters: at most 20 values, each as long as the catalog's columns allow.
Facet = Annotated[list[Annotated[str, Field(max_length=100)]], Query(max_length=20)]
OwnerFacet = Annotated[list[Annotated[str, Field(max_length=200)]], Query(max_length=20)]


@router.get("", response_model=SearchPage, summary="Search the catalog")
def search_models(
    key: CurrentKey,
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in names, tags, descriptions")
    ] = None,
    task: Facet = [],  # noqa: B006 - FastAPI copies defaults
    industry: Facet = [],  # noqa: B006
    framework: Facet = [],  # noqa: B006
    licence: Facet = [],  # noqa: B006
    owner: OwnerFacet = [],  # noqa: B006
    metric: Annotated[
        list[Annotated[str, Field(max_length=300, json_schema_extra=METRIC_FORM)]],
        Query(max_length=20, description="e.g. roc_auc>0.8 (>, >=, <, <=, =); repeatable"),
    ] = [],  # noqa: B006
    sort: Annotated[
        str | None,
        Query(
            max_length=300,
            json_schema_extra=SORT_FORM,
            description="relevance, name, -name, updated, -updated, metric:<m>, -metric:<m>",
        ),
    ] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> SearchPage:
    query = SearchQuery(
        q=q,
        task=task,
        industry=industry,
        framework=framework,
        licence=licence,
        owner=owner,
        metrics=[MetricFilter.parse(text) for text in metric],
        sort=sort,
        page=page,
        page_size=page_size,
    )
    result = search(session, key.tenant, query)
    return SearchPage(
        total=result.total,
        page=page,
        page_size=page_size,
        items=[ListingSummary.from_row(listing, score) for listing, score in result.items],
        facets={name: result.facets.get(name, {}) for name in FACETS},
    )


@router.get(
    "/{name}",
    response_model=ListingDetail,
    responses=NOT_FOUND,
    summary="One model: listing and versions",
)
def read_model(name: ModelName, key: CurrentKey, session: SessionDep) -> ListingDetail:
    return ListingDetail.from_listing(get_listing(session, key.tenant, name))


@router.get(
    "/{name}/versions/{version}",
    response_model=VersionDetail,
    responses=NOT_FOUND,
    summary="One model version",
)
def read_version(
    name: ModelName, version: VersionNumber, key: CurrentKey, session: SessionDep
) -> VersionDetail:
    listing = get_listing(session, key.tenant, name)
    return VersionDetail.from_version(listing, get_version(session, key.tenant, name, version))


def _card(session, tenant: str, name: str, version: int | None) -> ModelCard:  # type: ignore[no-untyped-def]
    listing = get_listing(session, tenant, name)
    number = version or listing.headline_version
    if number is None:
        raise NotFound(f"model {name!r} has no versions yet")
    return build_card(listing, get_version(session, tenant, name, number))


@router.get(
    "/{name}/card", response_model=ModelCard, responses=NOT_FOUND, summary="Model card (JSON)"
)
def card_json(name: ModelName, key: CurrentKey, session: SessionDep, version: VersionQuery = None):
    return _card(session, key.tenant, name, version)


def _text(media_type: str, what: str) -> Responses:
    """A 200 of ``media_type`` only; errors stay JSON (``response_class=Response`` keeps
    FastAPI from documenting them in the 200's media type)."""
    return {200: {"description": what, "content": {media_type: {"schema": {"type": "string"}}}}}


@router.get(
    "/{name}/card.md",
    response_class=Response,
    summary="Model card (Markdown)",
    responses=_text("text/markdown", "The card in Markdown") | NOT_FOUND,
)
def card_markdown(
    name: ModelName, key: CurrentKey, session: SessionDep, version: VersionQuery = None
) -> PlainTextResponse:
    markdown = render_markdown(_card(session, key.tenant, name, version))
    return PlainTextResponse(markdown, media_type="text/markdown; charset=utf-8")


@router.get(
    "/{name}/card.html",
    response_class=Response,
    responses=_text("text/html", "The card as an HTML page") | NOT_FOUND,
    summary="Model card (HTML)",
)
def card_html(
    name: ModelName, key: CurrentKey, session: SessionDep, version: VersionQuery = None
) -> HTMLResponse:
    return HTMLResponse(render_html(_card(session, key.tenant, name, version)))
