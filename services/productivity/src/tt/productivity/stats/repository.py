"""Read queries behind the stats and the value dashboard (a handful per request)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.productivity.analytics.days import DayTotal
from tt.productivity.analytics.timezones import UserZone, resolve_zone
from tt.productivity.readmodel.models import EntryRecord, ProjectRecord, UserDay, UserRecord


async def user_zone(session: AsyncSession, user_id: int, identity_timezone: str) -> UserZone:
    """The zone the user's entries were bucketed in: their record's (a placeholder's is
    UTC); the identity's only when no entry or record of the user has arrived yet."""
    row = await session.execute(select(UserRecord.timezone).where(UserRecord.id == user_id))
    found = row.first()
    return resolve_zone(found[0] if found is not None else identity_timezone)


async def day_totals(session: AsyncSession, user_id: int) -> dict[date, DayTotal]:
    rows = await session.execute(
        select(UserDay.day, UserDay.seconds, UserDay.billable_seconds, UserDay.entries).where(
            UserDay.user_id == user_id, UserDay.entries > 0
        )
    )
    return {day: DayTotal(int(s), int(b), int(n)) for day, s, b, n in rows.all()}


@dataclass(frozen=True, slots=True)
class SessionRow:
    local_start: datetime
    seconds: int
    billable: bool
    project_id: int | None
    project_name: str | None


async def completed_sessions(
    session: AsyncSession, user_id: int, first: date, last: date
) -> list[SessionRow]:
    """Completed entries that started on local days ``first`` to ``last`` inclusive."""
    rows = await session.execute(
        select(
            EntryRecord.local_start,
            EntryRecord.seconds,
            EntryRecord.billable,
            EntryRecord.project_id,
            func.coalesce(ProjectRecord.name, EntryRecord.project_name),
        )
        .outerjoin(ProjectRecord, ProjectRecord.id == EntryRecord.project_id)
        .where(
            EntryRecord.user_id == user_id,
            EntryRecord.seconds.is_not(None),
            EntryRecord.local_start >= datetime.combine(first, time.min),
            EntryRecord.local_start < datetime.combine(last + timedelta(days=1), time.min),
        )
    )
    return [SessionRow(ls, int(s or 0), bool(b), pid, name) for ls, s, b, pid, name in rows.all()]


@dataclass(frozen=True, slots=True)
class RunningEntry:
    id: int
    project_name: str | None
    task_name: str | None
    start_time: datetime
    break_seconds: int
    paused_at: datetime | None


async def running_entry(session: AsyncSession, user_id: int) -> RunningEntry | None:
    row = await session.execute(
        select(
            EntryRecord.id,
            func.coalesce(ProjectRecord.name, EntryRecord.project_name),
            EntryRecord.task_name,
            EntryRecord.start_time,
            EntryRecord.break_seconds,
            EntryRecord.paused_at,
        )
        .outerjoin(ProjectRecord, ProjectRecord.id == EntryRecord.project_id)
        .where(EntryRecord.user_id == user_id, EntryRecord.end_time.is_(None))
        .order_by(EntryRecord.start_time.desc())
        .limit(1)
    )
    found = row.first()
    return RunningEntry(*found) if found is not None else None


# The first rate that applies: the project's, the entry's client's, the project's client's.
ESTIMATED_VALUE = text(
    """
    SELECT coalesce(sum(g.seconds / 3600.0 * coalesce(
               p.hourly_rate,
               entry_client.default_hourly_rate,
               project_client.default_hourly_rate,
               0
           )), 0)
    FROM user_rate_groups AS g
    LEFT JOIN projects AS p ON p.id = g.project_id
    LEFT JOIN clients AS entry_client ON entry_client.id = g.client_id
    LEFT JOIN clients AS project_client ON project_client.id = p.client_id
    WHERE g.user_id = :user_id AND g.seconds > 0
    """
)


async def estimated_value(session: AsyncSession, user_id: int) -> Decimal:
    value = (await session.execute(ESTIMATED_VALUE, {"user_id": user_id})).scalar_one()
    return Decimal(value)
