"""Queries on tasks (each with its project's name, people's names and totals)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from tt.common.db import driver
from tt.common.pagination import PageParams
from tt.time.entries.models import TimeEntry, work_totals_of
from tt.time.projects.models import Project
from tt.time.tasks.models import Task
from tt.time.users.models import UserRecord

_assignee = aliased(UserRecord)
_creator = aliased(UserRecord)


def _build_details() -> Any:
    work = work_totals_of("t", Task.id)
    return (
        select(
            Task,
            Project.name.label("project_name"),
            _assignee.username.label("assigned_user"),
            _creator.username.label("creator"),
            work.c.seconds,
            work.c.billable_seconds,
        )
        .join(Project, Project.id == Task.project_id)
        .outerjoin(_assignee, _assignee.id == Task.assigned_to)
        .outerjoin(_creator, _creator.id == Task.created_by)
        .join(work, true())
    )


_DETAILS = _build_details()  # built once; statements are immutable


def _with_details() -> Any:
    return _DETAILS


async def page(
    session: AsyncSession,
    params: PageParams | None,
    *,
    project_id: int | None,
    statuses: Sequence[str] | None,
) -> tuple[Sequence[Row[Any]], int]:
    """A page of tasks in creation order (every match when ``params`` is None)."""
    conditions = []
    if project_id is not None:
        conditions.append(Task.project_id == project_id)
    if statuses is not None:
        conditions.append(Task.status.in_(statuses))
    statement = _with_details().where(*conditions).order_by(Task.id)
    if params is None:
        rows = (await session.execute(statement)).all()
        return rows, len(rows)
    rows = (await session.execute(statement.limit(params.per_page).offset(params.offset))).all()
    total = (
        await session.execute(select(func.count()).select_from(Task).where(*conditions))
    ).scalar_one()
    return rows, int(total)


async def get_with_details(session: AsyncSession, task_id: int) -> Row[Any] | None:
    return (await session.execute(_with_details().where(Task.id == task_id))).first()


async def lock(session: AsyncSession, task_id: int) -> Task | None:
    return (
        await session.execute(select(Task).where(Task.id == task_id).with_for_update())
    ).scalar_one_or_none()


async def find_brief(session: AsyncSession, task_id: int) -> Any:
    """The task's id, name and project (for booking an entry on it; raw, a hot path)."""
    return await (await driver(session)).fetchrow(
        "SELECT id, name, project_id FROM tasks WHERE id = $1", task_id
    )


async def has_entries(session: AsyncSession, task_id: int) -> bool:
    found = await session.execute(select(TimeEntry.id).where(TimeEntry.task_id == task_id).limit(1))
    return found.first() is not None
