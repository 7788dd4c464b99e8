"""Queries on time entries.

A page is one query (the entry columns plus project, client, task and user names, joined
by primary key on the page's rows only) and one count. Unfiltered counts, the common case
(apps paging through everything, the entries screen), read the trigger-kept
``entry_counts`` row instead of counting the user's entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.pagination import PageParams
from tt.time.clients.models import Client
from tt.time.entries.models import EntryCount, TimeEntry
from tt.time.projects.models import Project
from tt.time.tasks.models import Task
from tt.time.users.models import UserRecord


@dataclass(frozen=True, slots=True)
class EntryFilter:
    user_id: int | None  # None: every user's (admins only)
    project_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    billable: bool | None = None
    include_active: bool = False

    @property
    def narrowed(self) -> bool:
        """Whether anything beyond the user (and running or not) narrows the list."""
        return (
            self.project_id is not None
            or self.start is not None
            or self.end is not None
            or self.billable is not None
        )

    def conditions(self) -> list[Any]:
        found: list[Any] = []
        if self.user_id is not None:
            found.append(TimeEntry.user_id == self.user_id)
        if self.project_id is not None:
            found.append(TimeEntry.project_id == self.project_id)
        if self.start is not None:
            found.append(TimeEntry.start_time >= self.start)
        if self.end is not None:
            found.append(TimeEntry.start_time <= self.end)
        if self.billable is not None:
            found.append(TimeEntry.billable.is_(self.billable))
        if not self.include_active:
            found.append(TimeEntry.end_time.is_not(None))
        return found


def _build_with_names() -> Any:
    return (
        select(
            *TimeEntry.__table__.c,
            Project.name.label("project_name"),
            Client.name.label("client_name"),
            Task.name.label("task_name"),
            UserRecord.username.label("username"),
        )
        .select_from(TimeEntry)
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Client, Client.id == TimeEntry.client_id)
        .outerjoin(Task, Task.id == TimeEntry.task_id)
        .outerjoin(UserRecord, UserRecord.id == TimeEntry.user_id)
    )


# Built once: constructing the statement costs more than executing a cached compile of it.
_WITH_NAMES = _build_with_names()


def _with_names() -> Any:
    return _WITH_NAMES


async def page(
    session: AsyncSession, params: PageParams, where: EntryFilter
) -> tuple[Sequence[Row[Any]], int]:
    """Newest first (start time, then id), one page."""
    rows = (
        await session.execute(
            _with_names()
            .where(*where.conditions())
            .order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
            .limit(params.per_page)
            .offset(params.offset)
        )
    ).all()
    if params.page == 1 and len(rows) < params.per_page:
        return rows, len(rows)  # the whole list fits on this page: no count needed
    return rows, await count(session, where)


async def count(session: AsyncSession, where: EntryFilter) -> int:
    if where.narrowed:
        statement = select(func.count()).select_from(TimeEntry).where(*where.conditions())
    else:
        running = 0 if where.include_active else EntryCount.active
        statement = select(func.coalesce(func.sum(EntryCount.total - running), 0))
        if where.user_id is not None:
            statement = statement.where(EntryCount.user_id == where.user_id)
    return int((await session.execute(statement)).scalar_one())


async def get_row(session: AsyncSession, entry_id: int) -> Row[Any] | None:
    return (await session.execute(_with_names().where(TimeEntry.id == entry_id))).first()


async def active_row(session: AsyncSession, user_id: int) -> Row[Any] | None:
    return (
        await session.execute(
            _with_names().where(TimeEntry.user_id == user_id, TimeEntry.end_time.is_(None))
        )
    ).first()


async def lock(session: AsyncSession, entry_id: int) -> TimeEntry | None:
    return (
        await session.execute(select(TimeEntry).where(TimeEntry.id == entry_id).with_for_update())
    ).scalar_one_or_none()


async def lock_active(session: AsyncSession, user_id: int) -> TimeEntry | None:
    """The user's running (or paused) timer, locked."""
    return (
        await session.execute(
            select(TimeEntry)
            .where(TimeEntry.user_id == user_id, TimeEntry.end_time.is_(None))
            .with_for_update()
        )
    ).scalar_one_or_none()


async def has_active(session: AsyncSession, user_id: int) -> bool:
    found = await session.execute(
        select(TimeEntry.id).where(TimeEntry.user_id == user_id, TimeEntry.end_time.is_(None))
    )
    return found.first() is not None


async def last_entry(session: AsyncSession, user_id: int) -> TimeEntry | None:
    """The user's most recent entry (latest end, then latest start)."""
    return (
        await session.execute(
            select(TimeEntry)
            .where(TimeEntry.user_id == user_id)
            .order_by(TimeEntry.end_time.desc().nulls_last(), TimeEntry.start_time.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def names(
    session: AsyncSession, *, project_id: int | None, client_id: int | None, task_id: int | None
) -> Row[Any]:
    """Project, client and task names in one round trip."""

    def name_of(column: Any, key: Any, value: int | None) -> Any:
        return select(column).where(key == value).scalar_subquery()

    return (
        await session.execute(
            select(
                name_of(Project.name, Project.id, project_id).label("project"),
                name_of(Client.name, Client.id, client_id).label("client"),
                name_of(Task.name, Task.id, task_id).label("task"),
            )
        )
    ).one()
