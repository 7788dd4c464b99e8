"""Writes to the search table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from sqlalchemy import Table, delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.bulk import as_arrays, unnest_upsert
from tt.search.documents.indexing import Document
from tt.search.documents.models import SearchDocument, SearchWord

TABLE: Table = SearchDocument.__table__  # type: ignore[assignment]
_KEY = ("kind", "entity_id")
_COLUMNS = [f.name for f in fields(Document)]


# The SQL type of each writable column, for the arrays a batch is written from.
_SQL_TYPES: dict[str, str] = {
    "kind": "text",
    "entity_id": "bigint",
    "status": "text",
    "project_id": "bigint",
    "task_id": "bigint",
    "owner_id": "bigint",
    "duration_seconds": "bigint",
    "is_running": "boolean",
    "started_at": "timestamptz",
}

_TYPED = [(name, _SQL_TYPES.get(name, "text")) for name in _COLUMNS]
# Every write sets every column, so a cleared field is cleared.
UPSERT = unnest_upsert(TABLE.name, _TYPED, _KEY, also_set="updated_at = now()")
DELETE = text(
    "DELETE FROM search_documents AS d USING unnest(CAST(:kind AS text[]), "
    "CAST(:entity_id AS bigint[])) AS k(kind, entity_id) "
    "WHERE d.kind = k.kind AND d.entity_id = k.entity_id"
)


async def save_documents(session: AsyncSession, documents: Sequence[Document]) -> None:
    """Insert or replace rows (at most one per key in one call), in one statement."""
    if documents:
        await session.execute(UPSERT, as_arrays(_TYPED, [d.values() for d in documents]))


async def remove_documents(session: AsyncSession, keys: Sequence[tuple[str, int]]) -> None:
    """Delete these rows, in one statement."""
    if keys:
        await session.execute(
            DELETE, {"kind": [k for k, _ in keys], "entity_id": [i for _, i in keys]}
        )


async def remove_all_documents(session: AsyncSession) -> None:
    """Empty the table, and the words found in it, inside the caller's transaction
    (readers keep the old rows until it commits; TRUNCATE would lock them out). The
    rows written next bring their words back (a trigger adds them)."""
    await session.execute(delete(TABLE))
    await session.execute(delete(SearchWord))
