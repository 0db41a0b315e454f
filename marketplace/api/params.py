"""Bounded path and query parameters the routes share: a 422 names the one out of range."""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

from fastapi import Path, Query, Request
from fastapi.dependencies.utils import get_flat_dependant

from marketplace.errors import InvalidInput
from marketplace.schemas import MAX_VERSION

ModelName = Annotated[str, Path(min_length=1, max_length=255, description="Registered model")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION, description="Model version")]
EndpointName = Annotated[str, Path(min_length=1, max_length=255, description="Endpoint name")]
RunId = Annotated[str, Path(min_length=1, max_length=250, description="Deployment run id")]
VersionQuery = Annotated[
    int | None,
    Query(ge=1, le=MAX_VERSION, description="Defaults to the champion, else the latest version"),
]
# Pages stop at 10,000 so that an offset always fits the database's integers.
MAX_PAGE = 10_000
MAX_PAGE_SIZE = 500
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE:,}")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"1 to {MAX_PAGE_SIZE}")]


async def single_valued_query(request: Request) -> None:
    """A query parameter that takes one value, sent twice, is refused rather than read as
    whichever came last: the client meant something the answer would not show."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    for param in get_flat_dependant(dependant).query_params:
        given = request.query_params.getlist(param.alias)
        if len(given) > 1 and not _repeatable(param.field_info.annotation):
            raise InvalidInput(f"query parameter {param.alias!r} takes one value, not several")


def _repeatable(annotation: Any) -> bool:
    """``list[…]``, also as part of ``list[…] | None``."""
    return any(get_origin(kind) is list for kind in (annotation, *get_args(annotation)))
