"""A query parameter that takes one value, sent twice, is refused rather than read as
whichever came last: the client meant something the answer would not show."""

from __future__ import annotations

from typing import Any, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.utils import get_flat_dependant

from insights.errors import InvalidInput


async def single_valued_query(request: Request) -> None:
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
