"""Full-text matching with relevance, behind one interface for SQLite (FTS5, bm25) and
PostgreSQL (tsvector, ts_rank).

Both weight a match in the name above one in the tags (task, industry, framework, licence,
owner and the tags people set), above one in the description only.
"""

from __future__ import annotations

import re

from sqlalchemy import Float, Select, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from marketplace.models import Listing

# Must match the expression index of migration 0001.
PG_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(search_name, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(search_tags, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(description, '')), 'C')"
)
# FTS5 column weights for bm25(): name, tags, description.
_BM25 = "bm25(listing_fts, 10.0, 4.0, 1.0)"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_fts = table("listing_fts", column("rowid"))


def words(query: str) -> list[str]:
    """The searchable words of a query: letters and digits only, so nothing is syntax."""
    return [word.lower() for word in _WORD.findall(query)][:20]


def split_identifier(name: str) -> str:
    """'customer_churn-v2.xgb' -> 'customer churn v2 xgb', so each part matches on its own."""
    return " ".join(_WORD.findall(name))


def index_listing(session: Session, listing: Listing) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL indexes the listings table itself (expression index)
    session.execute(text("DELETE FROM listing_fts WHERE rowid = :id"), {"id": listing.id})
    session.execute(
        text(
            "INSERT INTO listing_fts (rowid, name, tags, description) "
            "VALUES (:id, :name, :tags, :description)"
        ),
        {
            "id": listing.id,
            "name": listing.search_name,
            "tags": listing.search_tags,
            "description": listing.description,
        },
    )


def unindex_listing(session: Session, listing_id: int) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM listing_fts WHERE rowid = :id"), {"id": listing_id})


def matches(session: Session, query: str) -> Select | None:
    """``SELECT listing_id, score`` for listings matching every word (as a prefix); a higher
    score is more relevant. None when the query has no searchable words."""
    terms = words(query)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        expression = " ".join(f'"{term}"*' for term in terms)
        return (
            select(
                _fts.c.rowid.label("listing_id"),
                (-literal_column(_BM25, Float)).label("score"),
            )
            .select_from(_fts)
            .where(text("listing_fts MATCH :fts_query").bindparams(fts_query=expression))
        )
    document = literal_column(f"({PG_DOCUMENT})")
    tsquery = func.to_tsquery("english", " & ".join(f"{term}:*" for term in terms))
    return select(
        Listing.id.label("listing_id"),
        func.ts_rank(document, tsquery).label("score"),
    ).where(document.op("@@")(tsquery))


def not_fulltext_object(name: str | None, type_: str, _parent: object) -> bool:
    """Alembic ``include_name`` hook: the full-text index lives outside the models (FTS5
    virtual table and its shadow tables, the PostgreSQL expression index)."""
    return not (name or "").startswith(("listing_fts", "ix_listings_fulltext"))
