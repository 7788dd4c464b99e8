"""Rows the time tests start from, written through the ORM in the test's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tt.time.clients.models import Client
from tt.time.entries.models import TimeEntry
from tt.time.projects.models import Project
from tt.time.tasks.models import Task


async def client(session: AsyncSession, name: str = "Acme", **fields: object) -> Client:
    row = Client(name=name, currency="EUR", **fields)
    session.add(row)
    await session.flush()
    return row


async def project(
    session: AsyncSession, name: str = "Website", client_id: int | None = None, **fields: object
) -> Project:
    row = Project(name=name, client_id=client_id, currency="EUR", **fields)
    session.add(row)
    await session.flush()
    return row


async def task(session: AsyncSession, project_id: int, name: str = "Design") -> Task:
    row = Task(project_id=project_id, name=name)
    session.add(row)
    await session.flush()
    return row


async def entry(
    session: AsyncSession,
    user_id: int,
    start: datetime,
    end: datetime | None,
    project_id: int | None = None,
    **fields: object,
) -> TimeEntry:
    """An entry as stored (its duration the plain length; the trigger keeps the totals)."""
    seconds = None if end is None else int((end - start).total_seconds())
    row = TimeEntry(
        user_id=user_id,
        project_id=project_id,
        start_time=start,
        end_time=end,
        duration_seconds=seconds,
        **fields,
    )
    session.add(row)
    await session.flush()
    return row
