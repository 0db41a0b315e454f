"""Model cards: the JSON card, rendered to Markdown (Jinja2) and to HTML (markdown-it)."""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt

from marketplace.models import Listing, ListingVersion
from marketplace.schemas import VersionDetail

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>|#])")


class ModelCard(VersionDetail):
    """A version's card: ``description`` is the model's, ``version_description`` the version's."""

    version_description: str
    task: str | None
    industry: str | None
    licence: str | None
    owner: str | None


def build_card(listing: Listing, row: ListingVersion) -> ModelCard:
    detail = VersionDetail.from_version(listing, row)
    return ModelCard(
        **(detail.model_dump() | {"description": listing.description}),
        version_description=row.description,
        task=listing.task,
        industry=listing.industry,
        licence=listing.licence,
        owner=listing.owner,
    )


def _md(value: Any) -> str:
    """User text inside Markdown: escaped, on one line, so it cannot break the layout."""
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _field_type(field: dict[str, Any]) -> str:
    if field.get("type") == "tensor":
        tensor = field.get("tensor-spec", {})
        return f"tensor {tensor.get('dtype')} {tuple(tensor.get('shape', ()))}"
    return str(field.get("type"))


def _filesize(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("marketplace", "templates"),
        autoescape=False,  # Markdown, not HTML: user text goes through the `md` filter
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=_md, fieldtype=_field_type, filesize=_filesize)
    return env


def render_markdown(card: ModelCard) -> str:
    template = _environment().get_template("model_card.md.j2")
    return template.render(card=_wrap(card.model_dump(mode="json")))


def render_html(card: ModelCard) -> str:
    # html=False: raw HTML in a description is shown as text, never run.
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(render_markdown(card))
    title = html.escape(f"{card.name} version {card.version}")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} — model card</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:.25rem .5rem;text-align:left}</style></head>\n"
        f"<body>\n{body}</body></html>\n"
    )


class _Card(dict):
    """Attribute access over the card's JSON (``card.lineage.run_id``), None when absent."""

    def __getattr__(self, name: str) -> Any:
        return self.get(name)


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return _Card({key: _wrap(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    return value
