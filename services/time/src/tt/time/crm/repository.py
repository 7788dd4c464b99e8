"""Queries on deals and leads, and on the records a deal may point at."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.pagination import PageParams
from tt.time.crm.models import Deal, Lead
from tt.time.projects.models import Project

R = TypeVar("R", Deal, Lead)


async def find(session: AsyncSession, model: type[R], record_id: int, *, lock: bool) -> R | None:
    """The deal or lead, locked for update when ``lock`` (a change follows)."""
    query = select(model).where(model.id == record_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def project_exists(session: AsyncSession, project_id: int) -> bool:
    return await session.get(Project, project_id) is not None


async def _page(
    session: AsyncSession, query: Select[Any], params: PageParams, *order: Any
) -> tuple[Sequence[Any], int]:
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(
        query.order_by(*order).limit(params.per_page).offset(params.offset)
    )
    return rows.scalars().all(), int(total)


async def deals_page(
    session: AsyncSession,
    params: PageParams,
    *,
    status: str | None,
    stage: str | None,
    owner_id: int | None,
    client_id: int | None,
) -> tuple[Sequence[Deal], int]:
    """One page of deals (``None`` filters nothing), soonest expected close first."""
    query = select(Deal)
    for column, value in (
        (Deal.status, status),
        (Deal.stage, stage),
        (Deal.owner_id, owner_id),
        (Deal.client_id, client_id),
    ):
        if value is not None:
            query = query.where(column == value)
    order = (Deal.expected_close_date.asc().nulls_last(), Deal.created_at.desc(), Deal.id.desc())
    return await _page(session, query, params, *order)


def _contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


async def leads_page(
    session: AsyncSession,
    params: PageParams,
    *,
    status: str | None,
    leaving_out: Sequence[str],
    owner_id: int | None,
    source: str | None,
    search: str | None,
) -> tuple[Sequence[Lead], int]:
    """One page of leads, best score first: of ``status`` (``None``: any but those in
    ``leaving_out``); ``search`` matches names, company and email."""
    query = select(Lead)
    if status is not None:
        query = query.where(Lead.status == status)
    elif leaving_out:
        query = query.where(Lead.status.not_in(leaving_out))
    if owner_id is not None:
        query = query.where(Lead.owner_id == owner_id)
    if source:
        query = query.where(Lead.source == source)
    if search:
        columns = (Lead.first_name, Lead.last_name, Lead.company_name, Lead.email)
        query = query.where(or_(*(column.ilike(_contains(search)) for column in columns)))
    order = (Lead.score.desc(), Lead.created_at.desc(), Lead.id.desc())
    return await _page(session, query, params, *order)
