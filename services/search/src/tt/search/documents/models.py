"""The search table: one row per indexed project, task, client or time entry.

What a row is searched by lives in three weighted source columns (``text_a`` the name
or notes, ``text_b`` secondary fields, ``text_c`` descriptions); PostgreSQL derives the
weighted ``document`` (full text), ``search_text`` (trigrams, substrings) and
``match_key`` (exact and prefix ranking) from them, so writers cannot get them wrong.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Computed, Index, String, Text, false, func, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from tt.search.base import Base
from tt.search.documents.indexing import KINDS

DOCUMENT_SQL = (
    "setweight(to_tsvector('simple'::regconfig, text_a), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, text_b), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, text_c), 'C')"
)
SEARCH_TEXT_SQL = "text_a || ' ' || text_b || ' ' || text_c"
# Queries have at most 200 characters; a name's first 200 are all "starts with" needs.

MATCH_KEY_SQL = "lower(left(text_a, 200))"
# Each GIN index's pending list (rows inserted but not yet merged into the index), in kB.
# Every search of the index reads all of it: at PostgreSQL's default (4 MB) a search
# took 50 ms instead of 5 when the list was nearly full. The indexer merges it more
# often instead (migration 0006).
GIN_PENDING_LIST_KB = 256
GIN: dict[str, Any] = {
    "postgresql_using": "gin",
    "postgresql_with": {"gin_pending_list_limit": GIN_PENDING_LIST_KB},
}


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        # Full text and trigrams, one partial index per kind (a search scans one category
        # at a time), created by migration 0003 (see there).
        *(
            Index(
                f"ix_search_documents_{kind}_document",
                "document",
                **GIN,
                postgresql_where=f"kind = '{kind}'",
            )
            for kind in KINDS
        ),
        *(
            Index(
                f"ix_search_documents_{kind}_search_text",
                "search_text",
                **GIN,
                postgresql_ops={"search_text": "gin_trgm_ops"},
                postgresql_where=f"kind = '{kind}'",
            )
            for kind in KINDS
        ),
        Index("ix_search_documents_match_key", "kind", text('match_key COLLATE "C"')),
        # Entries in recency order, all and per owner (migration 0005).
        Index(
            "ix_search_documents_entry_recent",
            text("started_at DESC NULLS LAST"),
            text("entity_id DESC"),
            postgresql_where="kind = 'entry' AND NOT is_running",
        ),
        Index(
            "ix_search_documents_entry_owner_recent",
            "owner_id",
            text("started_at DESC NULLS LAST"),
            text("entity_id DESC"),
            postgresql_where="kind = 'entry' AND NOT is_running",
        ),
    )

    # project | task | client | entry
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)

    # What a result shows (tasks and entries add their project's and task's names at
    # query time, so a rename shows at once).
    title: Mapped[str] = mapped_column(Text, default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str | None] = mapped_column(String(32))

    project_id: Mapped[int | None] = mapped_column(BigInteger)
    project_name: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(BigInteger)
    task_name: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(BigInteger)
    duration_seconds: Mapped[int | None] = mapped_column(BigInteger)
    is_running: Mapped[bool] = mapped_column(default=False, server_default=false())
    started_at: Mapped[datetime | None] = mapped_column()

    text_a: Mapped[str] = mapped_column(Text, default="", server_default="")
    text_b: Mapped[str] = mapped_column(Text, default="", server_default="")
    text_c: Mapped[str] = mapped_column(Text, default="", server_default="")
    match_key: Mapped[str] = mapped_column(Text, Computed(MATCH_KEY_SQL, persisted=True))
    search_text: Mapped[str] = mapped_column(Text, Computed(SEARCH_TEXT_SQL, persisted=True))
    document: Mapped[str] = mapped_column(TSVECTOR, Computed(DOCUMENT_SQL, persisted=True))

    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class SearchWord(Base):
    """A distinct word of the index, for typo lookups; a trigger on ``search_documents``
    adds the words of every written row (migration 0005)."""

    __tablename__ = "search_words"
    __table_args__ = (
        Index(
            "ix_search_words_trigrams",
            "word",
            **GIN,
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
    )

    word: Mapped[str] = mapped_column(Text, primary_key=True)
