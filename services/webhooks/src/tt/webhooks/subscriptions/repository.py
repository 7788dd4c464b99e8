"""Subscription queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tt.webhooks.subscriptions.models import Subscription


async def get(
    session: AsyncSession, subscription_id: int, *, lock: bool = False
) -> Subscription | None:
    query = select(Subscription).where(Subscription.id == subscription_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def page(
    session: AsyncSession, owner_id: int | None, offset: int, limit: int
) -> tuple[Sequence[Subscription], int]:
    """Newest first; every owner's when ``owner_id`` is None."""
    query = select(Subscription)
    count = select(func.count()).select_from(Subscription)
    if owner_id is not None:
        query = query.where(Subscription.owner_id == owner_id)
        count = count.where(Subscription.owner_id == owner_id)
    rows = (
        (await session.execute(query.order_by(Subscription.id.desc()).offset(offset).limit(limit)))
        .scalars()
        .all()
    )
    total = int((await session.execute(count)).scalar_one())
    return rows, total


async def count_for_owner(session: AsyncSession, owner_id: int) -> int:
    query = select(func.count()).select_from(Subscription).where(Subscription.owner_id == owner_id)
    return int((await session.execute(query)).scalar_one())


async def set_owner_state(
    session: AsyncSession, owner_id: int, *, is_admin: bool, is_active: bool
) -> None:
    """Follow the owner's account: admin flag, and no deliveries for a deactivated owner."""
    await session.execute(
        update(Subscription)
        .where(Subscription.owner_id == owner_id)
        .values(owner_is_admin=is_admin)
    )
    if not is_active:
        await session.execute(
            update(Subscription)
            .where(Subscription.owner_id == owner_id, Subscription.active.is_(True))
            .values(active=False, disabled_reason="owner_deactivated", disabled_at=func.now())
        )
