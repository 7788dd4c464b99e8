"""Writes to the search table."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import Table, bindparam, delete, func
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from tt.search.documents.indexing import Document
from tt.search.documents.models import SearchDocument

TABLE: Table = SearchDocument.__table__  # type: ignore[assignment]
_KEY = ("kind", "entity_id")
_COLUMNS = [f.name for f in fields(Document)]


def _upsert() -> Insert:
    # Built once (on the table, not the ORM class: plain executemany, no ORM bulk logic):
    # every write sets every column, so a cleared field is cleared.
    statement = insert(TABLE).values({name: bindparam(name) for name in _COLUMNS})
    return statement.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={
            **{name: statement.excluded[name] for name in _COLUMNS if name not in _KEY},
            "updated_at": func.now(),
        },
    )


UPSERT = _upsert()
DELETE = delete(TABLE).where(
    TABLE.c.kind == bindparam("kind"), TABLE.c.entity_id == bindparam("entity_id")
)


async def save_documents(session: AsyncSession, documents: list[Document]) -> None:
    """Insert or replace rows (at most one per key in one call)."""
    if documents:
        await session.execute(UPSERT, [d.values() for d in documents])


async def save_document(session: AsyncSession, document: Document) -> None:
    await session.execute(UPSERT, document.values())


async def remove_document(session: AsyncSession, kind: str, entity_id: int) -> None:
    await session.execute(DELETE, {"kind": kind, "entity_id": entity_id})


async def remove_documents(session: AsyncSession, keys: list[tuple[str, int]]) -> None:
    if keys:
        await session.execute(DELETE, [{"kind": k, "entity_id": i} for k, i in keys])


async def remove_all_documents(session: AsyncSession) -> None:
    """Empty the table inside the caller's transaction (readers keep the old rows until
    it commits; TRUNCATE would lock them out)."""
    await session.execute(delete(TABLE))
