"""Reading entries for an export in pages by key (start time, then id, newest first):
each page is one indexed query however deep the export goes (OFFSET would rescan)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from asyncpg import Record
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.db import driver
from tt.time.entries.repository import EntryFilter

# Fixed text: only the filter's bound values come from the request.
_SELECT = (
    "SELECT e.id, e.user_id, e.project_id, e.task_id, e.start_time, e.end_time, e.notes, e.tags,"
    " e.billable, e.duration_seconds, u.username, p.name AS project_name,"
    " c.name AS client_name, t.name AS task_name"
    " FROM time_entries e"
    " LEFT JOIN projects p ON p.id = e.project_id"
    " LEFT JOIN clients c ON c.id = e.client_id"
    " LEFT JOIN tasks t ON t.id = e.task_id"
    " LEFT JOIN users u ON u.id = e.user_id"
)


async def after(
    session: AsyncSession,
    where: EntryFilter,
    cursor: tuple[datetime, int] | None,
    limit: int,
) -> Sequence[Record]:
    """The next ``limit`` entries after ``cursor`` (the last one of the previous page)."""
    clause, values = where.where()
    if cursor is not None:
        n = len(values)
        keyset = f"(e.start_time, e.id) < (${n + 1}, ${n + 2})"
        clause = f"{clause} AND {keyset}" if clause else f" WHERE {keyset}"
        values = [*values, *cursor]
    sql = f"{_SELECT}{clause} ORDER BY e.start_time DESC, e.id DESC LIMIT {int(limit)}"
    rows: Sequence[Record] = await (await driver(session)).fetch(sql, *values)
    return rows
