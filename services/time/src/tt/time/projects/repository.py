"""Queries on projects (each with its client's name and its trigger-kept totals)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asyncpg import Record
from sqlalchemy import Row, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.db import driver
from tt.common.pagination import PageParams
from tt.time.clients.models import Client
from tt.time.db import Conditions
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


# Fixed text: the columns come from the model, never from a request. ``{where}`` is the
# filter on ``p`` and ``{count_where}`` the same filter on ``q``, for the total that rides
# along as a scalar subquery (PostgreSQL runs it once per statement).
_PAGE = (
    "SELECT "  # noqa: S608
    + ", ".join(f"p.{column.name}" for column in Project.__table__.columns)
    + ", c.name AS client_name,"
    " coalesce(w.seconds, 0)::bigint AS seconds,"
    " coalesce(w.billable_seconds, 0)::bigint AS billable_seconds,"
    " (SELECT count(*) FROM projects q{count_where}) AS total_count"
    " FROM projects p LEFT JOIN clients c ON c.id = p.client_id"
    " LEFT JOIN LATERAL (SELECT sum(t.seconds) AS seconds,"
    " sum(t.billable_seconds) AS billable_seconds"
    " FROM work_totals t WHERE t.kind = 'p' AND t.ref_id = p.id) w ON true"
    "{where} ORDER BY p.name, p.id LIMIT {limit} OFFSET {offset}"
)


async def page(
    conn: Any, params: PageParams, *, status: str | None, client_id: int | None
) -> tuple[Sequence[Record], int]:
    """One page by name, with client names and work totals, and the total: one statement
    on a raw connection."""
    filters = Conditions()
    if status is not None:
        filters.add("{a}.status = ?", status)
    if client_id is not None:
        filters.add("{a}.client_id = ?", client_id)
    clause, values = filters.where()
    sql = _PAGE.format(
        where=clause.format(a="p"),
        count_where=clause.format(a="q"),
        # Written out, not bound: with $n PostgreSQL cannot cost a generic plan and
        # re-plans every execution; the status index orders any status well.
        limit=int(params.per_page),
        offset=int(params.offset),
    )
    rows: Sequence[Record] = await conn.fetch(sql, *values)
    if rows:
        return rows, int(rows[0]["total_count"])
    if params.page == 1:
        return rows, 0
    total = await conn.fetchval(
        f"SELECT count(*) FROM projects q{clause.format(a='q')}",  # noqa: S608
        *values,
    )
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
