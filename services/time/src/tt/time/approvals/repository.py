"""Queries on approvals and the entries they cover."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.pagination import PageParams
from tt.time.approvals.models import Approval, ApprovalEntry
from tt.time.entries.models import TimeEntry


async def lock_entries(session: AsyncSession, entry_ids: Sequence[int]) -> list[TimeEntry]:
    """The entries, locked in id order (so concurrent requests cannot deadlock)."""
    rows = await session.execute(
        select(TimeEntry)
        .where(TimeEntry.id.in_(list(entry_ids)))
        .order_by(TimeEntry.id)
        .with_for_update()
    )
    return list(rows.scalars())


async def lock(session: AsyncSession, approval_id: int) -> Approval | None:
    return (
        await session.execute(select(Approval).where(Approval.id == approval_id).with_for_update())
    ).scalar_one_or_none()


async def find(session: AsyncSession, approval_id: int) -> Approval | None:
    return await session.get(Approval, approval_id)


async def entry_ids(session: AsyncSession, approval_ids: Sequence[int]) -> dict[int, list[int]]:
    rows = await session.execute(
        select(ApprovalEntry.approval_id, ApprovalEntry.entry_id)
        .where(ApprovalEntry.approval_id.in_(list(approval_ids)))
        .order_by(ApprovalEntry.approval_id, ApprovalEntry.entry_id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for approval_id, entry_id in rows:
        found[approval_id].append(entry_id)
    return found


async def page(
    session: AsyncSession, params: PageParams, *, user_id: int | None, status: str | None
) -> tuple[Sequence[Approval], int]:
    conditions = []
    if user_id is not None:
        conditions.append(Approval.user_id == user_id)
    if status is not None:
        conditions.append(Approval.status == status)
    rows = await session.execute(
        select(Approval)
        .where(*conditions)
        .order_by(Approval.id.desc())
        .limit(params.per_page)
        .offset(params.offset)
    )
    total = await session.execute(select(func.count()).select_from(Approval).where(*conditions))
    return list(rows.scalars()), int(total.scalar_one())
