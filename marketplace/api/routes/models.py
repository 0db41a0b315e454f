"""The catalog: search listings, read a listing, a version and its model card."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse

from marketplace.api.deps import CurrentKey, SessionDep
from marketplace.cards import ModelCard, build_card, render_html, render_markdown
from marketplace.catalog.queries import get_listing, get_version
from marketplace.errors import NotFound
from marketplace.schemas import ErrorBody, ListingDetail, ListingSummary, SearchPage, VersionDetail
from marketplace.search.service import FACETS, MetricFilter, SearchQuery, search

ERRORS = {
    401: {"model": ErrorBody, "description": "No or unknown API key"},
    404: {"model": ErrorBody, "description": "Unknown model or version (or another tenant's)"},
    429: {"model": ErrorBody, "description": "Rate limit of the key's tier reached"},
}

router = APIRouter(prefix="/models", tags=["catalog"], responses=ERRORS)


@router.get("", response_model=SearchPage, summary="Search the catalog")
def search_models(
    key: CurrentKey,
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in names, tags, descriptions")
    ] = None,
    task: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies defaults
    industry: Annotated[list[str], Query()] = [],  # noqa: B006
    framework: Annotated[list[str], Query()] = [],  # noqa: B006
    licence: Annotated[list[str], Query()] = [],  # noqa: B006
    metric: Annotated[
        list[str], Query(description="e.g. roc_auc>0.8 (>, >=, <, <=, =); repeatable")
    ] = [],  # noqa: B006
    sort: Annotated[
        str | None,
        Query(description="relevance, name, -name, updated, -updated, metric:<m>, -metric:<m>"),
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 20,
) -> SearchPage:
    query = SearchQuery(
        q=q,
        task=task,
        industry=industry,
        framework=framework,
        licence=licence,
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


@router.get("/{name}", response_model=ListingDetail, summary="One model: listing and versions")
def read_model(name: str, key: CurrentKey, session: SessionDep) -> ListingDetail:
    return ListingDetail.from_listing(get_listing(session, key.tenant, name))


@router.get("/{name}/versions/{version}", response_model=VersionDetail, summary="One model version")
def read_version(name: str, version: int, key: CurrentKey, session: SessionDep) -> VersionDetail:
    listing = get_listing(session, key.tenant, name)
    return VersionDetail.from_version(listing, get_version(session, key.tenant, name, version))


def _card(session, tenant: str, name: str, version: int | None) -> ModelCard:  # type: ignore[no-untyped-def]
    listing = get_listing(session, tenant, name)
    number = version or listing.headline_version
    if number is None:
        raise NotFound(f"model {name!r} has no versions yet")
    return build_card(listing, get_version(session, tenant, name, number))


VersionQuery = Annotated[
    int | None, Query(ge=1, description="Defaults to the champion, else the latest version")
]


@router.get("/{name}/card", response_model=ModelCard, summary="Model card (JSON)")
def card_json(name: str, key: CurrentKey, session: SessionDep, version: VersionQuery = None):
    return _card(session, key.tenant, name, version)


@router.get(
    "/{name}/card.md",
    response_class=PlainTextResponse,
    summary="Model card (Markdown)",
    responses={200: {"content": {"text/markdown": {}}}},
)
def card_markdown(
    name: str, key: CurrentKey, session: SessionDep, version: VersionQuery = None
) -> PlainTextResponse:
    markdown = render_markdown(_card(session, key.tenant, name, version))
    return PlainTextResponse(markdown, media_type="text/markdown; charset=utf-8")


@router.get("/{name}/card.html", response_class=HTMLResponse, summary="Model card (HTML)")
def card_html(
    name: str, key: CurrentKey, session: SessionDep, version: VersionQuery = None
) -> HTMLResponse:
    return HTMLResponse(render_html(_card(session, key.tenant, name, version)))
