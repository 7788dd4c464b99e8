"""Writes to the search table."""

from __future__ import annotations

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tt.search.documents.indexing import Document
from tt.search.documents.models import SearchDocument

_KEY = ("kind", "entity_id")


async def save_document(session: AsyncSession, document: Document) -> None:
    """Insert or replace one row (every column, so a cleared field is cleared)."""
    values = document.values()
    statement = insert(SearchDocument).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={
            **{name: statement.excluded[name] for name in values if name not in _KEY},
            "updated_at": func.now(),
        },
    )
    await session.execute(statement)


async def remove_document(session: AsyncSession, kind: str, entity_id: int) -> None:
    await session.execute(
        delete(SearchDocument).where(
            SearchDocument.kind == kind, SearchDocument.entity_id == entity_id
        )
    )


async def remove_all_documents(session: AsyncSession) -> None:
    """Empty the table inside the caller's transaction (readers keep the old rows until
    it commits; TRUNCATE would lock them out)."""
    await session.execute(delete(SearchDocument))
