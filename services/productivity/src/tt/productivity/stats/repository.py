"""Read queries behind the stats and the value dashboard (a handful per request)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.productivity.analytics.days import DayTotal
from tt.productivity.analytics.focus import (
    DEEP_WORK_SECONDS,
    MIN_AVERAGED_SECONDS,
    SessionGroup,
)
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


def _local_bounds(first: date, last: date) -> dict[str, datetime]:
    return {
        "first": datetime.combine(first, time.min),
        "end": datetime.combine(last + timedelta(days=1), time.min),
    }


# Completed sessions per local weekday (0 = Monday) and hour of the window, in one pass.
FOCUS_GROUPS = text(
    """
    SELECT CAST(extract(isodow FROM local_start) AS int) - 1,
           CAST(extract(hour FROM local_start) AS int),
           count(*), CAST(sum(seconds) AS bigint), max(seconds),
           count(*) FILTER (WHERE seconds >= :averaged),
           CAST(coalesce(sum(seconds) FILTER (WHERE seconds >= :averaged), 0) AS bigint),
           count(*) FILTER (WHERE seconds >= :deep),
           CAST(coalesce(sum(seconds) FILTER (WHERE seconds >= :deep), 0) AS bigint),
           CAST(max(local_start) AS date)
    FROM time_entries
    WHERE user_id = :user_id AND seconds IS NOT NULL
      AND local_start >= :first AND local_start < :end
    GROUP BY 1, 2
    """
)


async def focus_groups(
    session: AsyncSession, user_id: int, first: date, last: date
) -> list[SessionGroup]:
    """Sessions that started on local days ``first`` to ``last``, per weekday and hour."""
    rows = await session.execute(
        FOCUS_GROUPS,
        {
            "user_id": user_id,
            "averaged": MIN_AVERAGED_SECONDS,
            "deep": DEEP_WORK_SECONDS,
            **_local_bounds(first, last),
        },
    )
    return [SessionGroup(*r) for r in rows.all()]


@dataclass(frozen=True, slots=True)
class ProjectTotals:
    """One project's completed time in the period and in the current week."""

    project_id: int
    name: str | None
    seconds: int
    billable_seconds: int
    entries: int
    week_seconds: int


# Index-only over the covering (user_id, local_start) index; names are looked up after.
PROJECT_TOTALS = text(
    """
    SELECT project_id,
           coalesce(sum(seconds) FILTER (WHERE local_start >= :period_first), 0),
           coalesce(sum(seconds) FILTER (WHERE local_start >= :period_first AND billable), 0),
           count(*) FILTER (WHERE local_start >= :period_first),
           coalesce(sum(seconds) FILTER (WHERE local_start >= :week_first), 0)
    FROM time_entries
    WHERE user_id = :user_id AND seconds IS NOT NULL AND project_id IS NOT NULL
      AND local_start >= :first AND local_start < :end
    GROUP BY project_id
    """
)
# A project's name from its record, else the newest name an entry of this user carried
# (the project's own event may not have arrived yet).
PROJECT_NAMES = text(
    """
    SELECT ids.id, coalesce(p.name, (
        SELECT e.project_name FROM time_entries AS e
        WHERE e.user_id = :user_id AND e.project_id = ids.id AND e.project_name IS NOT NULL
        ORDER BY e.start_time DESC LIMIT 1))
    FROM unnest(CAST(:ids AS bigint[])) AS ids(id)
    LEFT JOIN projects AS p ON p.id = ids.id
    """
)


async def project_totals(
    session: AsyncSession, user_id: int, period_first: date, week_first: date, last: date
) -> list[ProjectTotals]:
    rows = (
        await session.execute(
            PROJECT_TOTALS,
            {
                "user_id": user_id,
                "period_first": datetime.combine(period_first, time.min),
                "week_first": datetime.combine(week_first, time.min),
                **_local_bounds(min(period_first, week_first), last),
            },
        )
    ).all()
    if not rows:
        return []
    name_rows = (
        await session.execute(PROJECT_NAMES, {"user_id": user_id, "ids": [r[0] for r in rows]})
    ).all()
    names: dict[int, str | None] = {row[0]: row[1] for row in name_rows}
    return [
        ProjectTotals(int(pid), names.get(pid), int(s), int(b), int(n), int(w))
        for pid, s, b, n, w in rows
    ]


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


def priced_time(rows: str, where: str) -> str:
    """``SELECT seconds, value`` over ``rows`` (a table aliased ``t``, with ``seconds``,
    ``project_id`` and ``client_id``): each row's hours times the first rate that applies,
    the project's, the entry's client's, the project's client's. Callers pass constant
    fragments only; every value is bound."""
    return f"""
    SELECT coalesce(sum(t.seconds), 0),
           coalesce(sum(t.seconds / 3600.0 * coalesce(
               p.hourly_rate,
               entry_client.default_hourly_rate,
               project_client.default_hourly_rate,
               0
           )), 0)
    FROM {rows} AS t
    LEFT JOIN projects AS p ON p.id = t.project_id
    LEFT JOIN clients AS entry_client ON entry_client.id = t.client_id
    LEFT JOIN clients AS project_client ON project_client.id = p.client_id
    WHERE {where}
    """  # noqa: S608


ESTIMATED_VALUE = text(priced_time("user_rate_groups", "t.user_id = :user_id AND t.seconds > 0"))


async def estimated_value(session: AsyncSession, user_id: int) -> Decimal:
    _, value = (await session.execute(ESTIMATED_VALUE, {"user_id": user_id})).one()
    return Decimal(value)
