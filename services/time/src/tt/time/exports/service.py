"""``GET /api/v1/time-entries/export``: the entries a list with the same filters shows,
as CSV (docs/api.md §5), streamed page by page so an export of any size needs
the memory of one page. Text cells that start like a spreadsheet formula are escaped."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tt.time.entries.repository import EntryFilter
from tt.time.exports import repository
from tt.time.imports.dialect import EXPORT_COLUMNS, escape

PAGE = 2000


def _instant(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else ""


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def csv_row(row: Mapping[str, Any], me: tuple[int, str]) -> list[str]:
    """One entry as cells, in ``EXPORT_COLUMNS`` order (the caller's own username stands
    in while the users projection has not heard of them)."""
    user = row["username"] or (me[1] if row["user_id"] == me[0] else None)
    return [
        _number(row["project_id"]),
        _number(row["task_id"]),
        _instant(row["start_time"]),
        _instant(row["end_time"]),
        escape(row["notes"]),
        escape(row["tags"]),
        "true" if row["billable"] else "false",
        str(row["id"]),
        escape(user),
        escape(row["project_name"]),
        escape(row["client_name"]),
        escape(row["task_name"]),
        _number(row["duration_seconds"]),
    ]


async def stream_csv(
    sessions: async_sessionmaker[AsyncSession], where: EntryFilter, me: tuple[int, str]
) -> AsyncIterator[bytes]:
    """The header, then every matching entry, newest first, a page per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    cursor: tuple[datetime, int] | None = None
    while True:
        # A short session per page: the export holds no connection between chunks.
        async with sessions() as session:
            rows = await repository.after(session, where, cursor, PAGE)
        for row in rows:
            writer.writerow(csv_row(row, me))
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < PAGE:
            return
        cursor = (rows[-1]["start_time"], rows[-1]["id"])
