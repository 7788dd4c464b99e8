"""Queries of the TimeTrack API: project entries with their names and TimeTrack details,
and the lookups by name its bodies need. Names match case-insensitively; where several
clients, projects or users share a name, the active one with the lowest id wins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asyncpg import Record
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.db import driver
from tt.time.db import Conditions
from tt.time.timetrack.models import TimeTrackDetails

# Fixed text: only bound values come from requests.
_SELECT = (
    "SELECT e.id, e.user_id, e.project_id, e.start_time, e.end_time, e.duration_seconds,"
    " e.break_seconds, e.notes, e.tags, e.billable, u.username, c.name AS client_name,"
    " p.name AS project_name, t.name AS task_name, d.hour_rate, d.flat_rate, d.latitude,"
    " d.longitude, d.latitude1, d.longitude1"
    " FROM time_entries e"
    " JOIN projects p ON p.id = e.project_id"
    " LEFT JOIN clients c ON c.id = e.client_id"
    " LEFT JOIN tasks t ON t.id = e.task_id"
    " LEFT JOIN users u ON u.id = e.user_id"
    " LEFT JOIN timetrack_entry_details d ON d.entry_id = e.id"
)


@dataclass(frozen=True, slots=True)
class ListFilter:
    user_id: int | None  # None: everyone's (admins)
    client_name: str | None = None
    project_name: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def where(self) -> tuple[str, list[Any]]:
        where = Conditions("e.end_time IS NOT NULL")
        if self.user_id is not None:
            where.add("e.user_id = ?", self.user_id)
        if self.client_name is not None:
            where.add("lower(c.name) = lower(?)", self.client_name)
        if self.project_name is not None:
            where.add("lower(p.name) = lower(?)", self.project_name)
        if self.start is not None:
            where.add("e.start_time >= ?", self.start)
        if self.end is not None:
            where.add("e.start_time <= ?", self.end)
        return where.where()


async def after(
    session: AsyncSession, where: ListFilter, cursor: tuple[datetime, int] | None, limit: int
) -> Sequence[Record]:
    """The next page after ``cursor``, oldest first (start time, then id)."""
    clause, values = where.where()
    if cursor is not None:
        n = len(values)
        clause += f" AND (e.start_time, e.id) > (${n + 1}, ${n + 2})"
        values = [*values, *cursor]
    sql = f"{_SELECT}{clause} ORDER BY e.start_time, e.id LIMIT {int(limit)}"
    rows: Sequence[Record] = await (await driver(session)).fetch(sql, *values)
    return rows


async def get_row(session: AsyncSession, entry_id: int) -> Record | None:
    row: Record | None = await (await driver(session)).fetchrow(
        f"{_SELECT} WHERE e.id = $1", entry_id
    )
    return row


async def client_named(session: AsyncSession, name: str) -> int | None:
    found = await (await driver(session)).fetchval(
        "SELECT id FROM clients WHERE lower(name) = lower($1)"
        " ORDER BY (status = 'active') DESC, id LIMIT 1",
        name,
    )
    return int(found) if found is not None else None


async def project_named(session: AsyncSession, client_id: int, name: str) -> int | None:
    found = await (await driver(session)).fetchval(
        "SELECT id FROM projects WHERE client_id = $1 AND lower(name) = lower($2)"
        " ORDER BY (status = 'active') DESC, id LIMIT 1",
        client_id,
        name,
    )
    return int(found) if found is not None else None


async def task_named(session: AsyncSession, project_id: int, name: str) -> int | None:
    found = await (await driver(session)).fetchval(
        "SELECT id FROM tasks WHERE project_id = $1 AND lower(name) = lower($2)"
        " ORDER BY status IN ('done', 'cancelled'), id LIMIT 1",
        project_id,
        name,
    )
    return int(found) if found is not None else None


async def user_named(session: AsyncSession, username: str) -> int | None:
    found = await (await driver(session)).fetchval(
        "SELECT id FROM users WHERE lower(username) = lower($1) AND NOT deleted"
        " ORDER BY is_active DESC, id LIMIT 1",
        username,
    )
    return int(found) if found is not None else None


async def save_details(session: AsyncSession, entry_id: int, values: dict[str, Any]) -> None:
    """Create or update the entry's TimeTrack details (only the fields in ``values``)."""
    statement = insert(TimeTrackDetails).values(entry_id=entry_id, **values)
    if values:
        statement = statement.on_conflict_do_update(
            index_elements=[TimeTrackDetails.entry_id], set_=values
        )
    else:
        statement = statement.on_conflict_do_nothing()
    await session.execute(statement)
