"""Queries on clients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.pagination import PageParams
from tt.time.clients.models import Client
from tt.time.entries.models import TimeEntry
from tt.time.projects.models import Project

# Per client: how many projects, and how many of them are active (one grouped subquery).
_project_counts = (
    select(
        Project.client_id.label("client_id"),
        func.count().label("total_projects"),
        func.count().filter(Project.status == "active").label("active_projects"),
    )
    .group_by(Project.client_id)
    .subquery()
)


def _build_counts() -> Any:
    return select(
        Client,
        func.coalesce(_project_counts.c.total_projects, 0).label("total_projects"),
        func.coalesce(_project_counts.c.active_projects, 0).label("active_projects"),
    ).outerjoin(_project_counts, _project_counts.c.client_id == Client.id)


_COUNTS = _build_counts()  # built once; statements are immutable


def _with_counts() -> Any:
    return _COUNTS


async def page(
    session: AsyncSession, params: PageParams, status: str | None
) -> tuple[Sequence[Row[Any]], int]:
    statement = _with_counts()
    counting = select(func.count()).select_from(Client)
    if status is not None:
        statement = statement.where(Client.status == status)
        counting = counting.where(Client.status == status)
    rows = (
        await session.execute(
            statement.order_by(Client.name, Client.id).limit(params.per_page).offset(params.offset)
        )
    ).all()
    total = (await session.execute(counting)).scalar_one()
    return rows, int(total)


async def get_with_counts(session: AsyncSession, client_id: int) -> Row[Any] | None:
    return (await session.execute(_with_counts().where(Client.id == client_id))).first()


async def lock(session: AsyncSession, client_id: int) -> Client | None:
    return (
        await session.execute(select(Client).where(Client.id == client_id).with_for_update())
    ).scalar_one_or_none()


async def find(session: AsyncSession, client_id: int) -> Client | None:
    return await session.get(Client, client_id)


async def is_referenced(session: AsyncSession, client_id: int) -> bool:
    """Whether a project or an entry points at the client (then it is archived, not deleted)."""
    project = select(Project.id).where(Project.client_id == client_id).limit(1)
    entry = select(TimeEntry.id).where(TimeEntry.client_id == client_id).limit(1)
    found = await session.execute(select(project.exists() | entry.exists()))
    return bool(found.scalar())
