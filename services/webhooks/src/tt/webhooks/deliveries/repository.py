"""Delivery and attempt queries for the API (the dispatcher's are in dispatch/)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.webhooks.deliveries.models import Attempt, Delivery, StoredEvent

# Dispatchers LISTEN on it: a delivery became due now (redelivery, test event).
DUE_CHANNEL = "tt_webhooks_due"


async def page(
    session: AsyncSession, subscription_id: int, status: str | None, offset: int, limit: int
) -> tuple[Sequence[Delivery], int]:
    """Newest first."""
    where = [Delivery.subscription_id == subscription_id]
    if status is not None:
        where.append(Delivery.status == status)
    rows = (
        (
            await session.execute(
                select(Delivery)
                .where(*where)
                .order_by(Delivery.id.desc())
                .offset(offset)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    total = (
        await session.execute(select(func.count()).select_from(Delivery).where(*where))
    ).scalar_one()
    return rows, int(total)


async def attempts_of(
    session: AsyncSession, delivery_ids: Sequence[int]
) -> dict[int, list[Attempt]]:
    """Every attempt of these deliveries, oldest first, in one query."""
    found: dict[int, list[Attempt]] = defaultdict(list)
    if not delivery_ids:
        return found
    rows = (
        await session.execute(
            select(Attempt).where(Attempt.delivery_id.in_(delivery_ids)).order_by(Attempt.id)
        )
    ).scalars()
    for attempt in rows:
        found[attempt.delivery_id].append(attempt)
    return found


async def get(
    session: AsyncSession, subscription_id: int, delivery_id: int, *, lock: bool = False
) -> Delivery | None:
    query = select(Delivery).where(
        Delivery.id == delivery_id, Delivery.subscription_id == subscription_id
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def payload_of(session: AsyncSession, event_id: str) -> bytes | None:
    query = select(StoredEvent.payload).where(StoredEvent.id == event_id)
    return (await session.execute(query)).scalar_one_or_none()


async def notify_due(session: AsyncSession) -> None:
    """Wake the dispatchers when the transaction commits (NOTIFY is transactional)."""
    await session.execute(text(f"NOTIFY {DUE_CHANNEL}"))
