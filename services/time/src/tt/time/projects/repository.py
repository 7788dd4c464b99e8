"""Queries on projects (each with its client's name and its trigger-kept totals)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.pagination import PageParams
from tt.time.clients.models import Client
from tt.time.db import driver
from tt.time.entries.models import work_totals_of
from tt.time.projects.models import Project


def _build_details() -> Any:
    work = work_totals_of("p", Project.id)
    return (
        select(Project, Client.name.label("client_name"), work.c.seconds, work.c.billable_seconds)
        .outerjoin(Client, Client.id == Project.client_id)
        .join(work, true())
    )


_DETAILS = _build_details()  # built once; statements are immutable


def _with_details() -> Any:
    return _DETAILS


async def page(
    session: AsyncSession, params: PageParams, *, status: str | None, client_id: int | None
) -> tuple[Sequence[Row[Any]], int]:
    conditions = []
    if status is not None:
        conditions.append(Project.status == status)
    if client_id is not None:
        conditions.append(Project.client_id == client_id)
    rows = (
        await session.execute(
            _with_details()
            .where(*conditions)
            .order_by(Project.name, Project.id)
            .limit(params.per_page)
            .offset(params.offset)
        )
    ).all()
    total = (
        await session.execute(select(func.count()).select_from(Project).where(*conditions))
    ).scalar_one()
    return rows, int(total)


async def get_with_details(session: AsyncSession, project_id: int) -> Row[Any] | None:
    return (await session.execute(_with_details().where(Project.id == project_id))).first()


async def lock(session: AsyncSession, project_id: int) -> Project | None:
    return (
        await session.execute(select(Project).where(Project.id == project_id).with_for_update())
    ).scalar_one_or_none()


async def find_with_client(session: AsyncSession, project_id: int) -> Any:
    """The project's id, name, status and client (id and name): what an entry booked on
    it needs (a hot path: every entry create and timer start, hence raw)."""
    return await (await driver(session)).fetchrow(
        "SELECT p.id, p.name, p.status, p.client_id, c.name AS client_name"
        " FROM projects p LEFT JOIN clients c ON c.id = p.client_id WHERE p.id = $1",
        project_id,
    )


async def code_taken(session: AsyncSession, code: str, *, other_than: int | None = None) -> bool:
    query = select(Project.id).where(Project.code == code)
    if other_than is not None:
        query = query.where(Project.id != other_than)
    return (await session.execute(query.limit(1))).first() is not None
