"""Read queries behind a project's forecast: who may see it, its plan, its time so far
and in the burn window, priced as the value dashboard prices time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.productivity.stats.repository import priced_time


@dataclass(frozen=True, slots=True)
class ProjectPlan:
    """A project as the read model holds it (entries may name a project whose own event
    has not arrived: then only the name their entries carried is known)."""

    project_id: int
    name: str | None
    status: str | None
    currency: str | None
    hourly_rate: Decimal | None
    estimated_hours: float | None
    budget_amount: Decimal | None
    budget_threshold_percent: int | None


# In one round trip: the project's record (or, before its own event arrived, the name its
# newest entry carried), whether anything of it is known, and whether the caller tracked
# time on it (completed or running): what makes it theirs to see.
ACCESS = text(
    """
    SELECT p.id IS NOT NULL OR newest.project_name IS NOT NULL
               OR EXISTS (SELECT 1 FROM time_entries WHERE project_id = :project_id),
           coalesce(p.name, newest.project_name), p.status, p.currency, p.hourly_rate,
           p.estimated_hours, p.budget_amount, p.budget_threshold_percent,
           EXISTS (SELECT 1 FROM user_rate_groups
                   WHERE user_id = :user_id AND project_id = :project_id AND seconds > 0)
           OR EXISTS (SELECT 1 FROM time_entries
                      WHERE user_id = :user_id AND end_time IS NULL AND project_id = :project_id)
    FROM (SELECT 1) AS one
    LEFT JOIN projects AS p ON p.id = :project_id
    LEFT JOIN LATERAL (
        SELECT project_name FROM time_entries
        WHERE project_id = :project_id AND project_name IS NOT NULL
        ORDER BY start_time DESC LIMIT 1
    ) AS newest ON true
    """
)


@dataclass(frozen=True, slots=True)
class Access:
    """The project (None when nothing of it is known) and whether the caller tracked on it."""

    plan: ProjectPlan | None
    tracked: bool


async def project_access(session: AsyncSession, user_id: int, project_id: int) -> Access:
    known, *plan, tracked = (
        await session.execute(ACCESS, {"user_id": user_id, "project_id": project_id})
    ).one()
    return Access(ProjectPlan(project_id, *plan) if known else None, bool(tracked))


@dataclass(frozen=True, slots=True)
class Work:
    """Completed seconds and their value (hours x the first rate that applies)."""

    seconds: int
    value: Decimal


# All time so far from the per-user/project/client totals; the window from the entries.
TOTAL_WORK = text(priced_time("user_rate_groups", "t.project_id = :project_id AND t.seconds > 0"))
WINDOW_WORK = text(
    priced_time(
        "time_entries",
        "t.project_id = :project_id AND t.seconds IS NOT NULL "
        "AND t.start_time >= :since AND t.start_time < :until",
    )
)


async def total_work(session: AsyncSession, project_id: int) -> Work:
    seconds, value = (await session.execute(TOTAL_WORK, {"project_id": project_id})).one()
    return Work(int(seconds), Decimal(value))


async def window_work(
    session: AsyncSession, project_id: int, since: datetime, until: datetime
) -> Work:
    """Completed time of entries that started in ``[since, until)``."""
    seconds, value = (
        await session.execute(
            WINDOW_WORK, {"project_id": project_id, "since": since, "until": until}
        )
    ).one()
    return Work(int(seconds), Decimal(value))
