"""The summary report's one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.productivity.readmodel.models import EntryRecord, ProjectRecord


@dataclass(frozen=True, slots=True)
class ProjectTotal:
    project_id: int | None
    project_name: str | None
    seconds: int
    billable_seconds: int
    entries: int


async def totals_by_project(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    user_id: int | None,
    project_id: int | None,
) -> list[ProjectTotal]:
    """Completed entries that started in [start, end], grouped by project."""
    name = func.coalesce(ProjectRecord.name, func.max(EntryRecord.project_name))
    query = (
        select(
            EntryRecord.project_id,
            name,
            func.sum(EntryRecord.seconds),
            func.sum(case((EntryRecord.billable, EntryRecord.seconds), else_=0)),
            func.count(),
        )
        .outerjoin(ProjectRecord, ProjectRecord.id == EntryRecord.project_id)
        .where(
            EntryRecord.seconds.is_not(None),
            EntryRecord.start_time >= start,
            EntryRecord.start_time <= end,
        )
        .group_by(EntryRecord.project_id, ProjectRecord.name)
    )
    if user_id is not None:
        query = query.where(EntryRecord.user_id == user_id)
    if project_id is not None:
        query = query.where(EntryRecord.project_id == project_id)
    rows = await session.execute(query)
    return [ProjectTotal(pid, nm, int(s), int(b), int(n)) for pid, nm, s, b, n in rows.all()]
