"""Delivery use cases of the API: the log, manual redelivery, test events.

They take a session and never commit. Visibility follows the subscription's.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import Conflict, NotFound
from tt.common.events import make_event
from tt.common.identity import Identity
from tt.common.pagination import PageParams
from tt.webhooks.deliveries import repository
from tt.webhooks.deliveries.models import PENDING, Attempt, Delivery, StoredEvent
from tt.webhooks.runtime import Runtime
from tt.webhooks.subscriptions import service as subscriptions

SOURCE = "/tt/webhooks"


async def page(
    session: AsyncSession,
    identity: Identity,
    subscription_id: int,
    params: PageParams,
    status: str | None,
) -> tuple[Sequence[Delivery], dict[int, list[Attempt]], int]:
    await subscriptions.visible(session, identity, subscription_id)
    rows, total = await repository.page(
        session, subscription_id, status, params.offset, params.per_page
    )
    attempts = await repository.attempts_of(session, [d.id for d in rows])
    return rows, attempts, total


async def detail(
    session: AsyncSession, identity: Identity, subscription_id: int, delivery_id: int
) -> tuple[Delivery, list[Attempt], bytes | None]:
    """One delivery with its attempts and the event it carries."""
    delivery = await _visible(session, identity, subscription_id, delivery_id)
    attempts = await repository.attempts_of(session, [delivery.id])
    return delivery, attempts[delivery.id], await repository.payload_of(session, delivery.event_id)


async def redeliver(
    session: AsyncSession, rt: Runtime, identity: Identity, subscription_id: int, delivery_id: int
) -> Delivery:
    """Queue a finished delivery again, now, with a fresh retry window."""
    delivery = await _visible(session, identity, subscription_id, delivery_id, lock=True)
    if delivery.status == PENDING:
        raise Conflict("This delivery is still pending; it will be retried automatically")
    now = datetime.now(UTC)
    delivery.status = PENDING
    delivery.next_attempt_at = now
    delivery.retry_until = now + timedelta(seconds=rt.settings.retry_window_seconds)
    delivery.consecutive_failures = 0
    delivery.completed_at = None
    delivery.lease_until = None
    delivery.lease_token = None
    await repository.notify_due(session)
    await session.flush()
    return delivery


async def send_test(
    session: AsyncSession, rt: Runtime, identity: Identity, subscription_id: int
) -> Delivery:
    """Queue a ``tt.webhook.test`` event for this subscription only."""
    sub = await subscriptions.visible(session, identity, subscription_id)
    if not sub.active:
        raise Conflict("This webhook is not active; activate it before sending a test event")
    state: dict[str, Any] = {"id": sub.id, "url": sub.url, "events": list(sub.events)}
    # Tests are not versioned changes; a millisecond clock keeps "newer wins" receivers happy.
    event = make_event(
        source=SOURCE,
        entity="webhook",
        verb="test",
        entity_id=sub.id,
        version=time.time_ns() // 1_000_000,
        state=state,
    )
    now = datetime.now(UTC)
    session.add(
        StoredEvent(id=event.id, type=event.type, subject=event.subject, payload=event.to_json())
    )
    await session.flush()
    delivery = Delivery(
        subscription_id=sub.id,
        event_id=event.id,
        event_type=event.type,
        lane=f"webhook:{sub.id}",
        status=PENDING,
        attempts=0,
        consecutive_failures=0,
        next_attempt_at=now,
        retry_until=now + timedelta(seconds=rt.settings.retry_window_seconds),
        created_at=now,
    )
    session.add(delivery)
    await repository.notify_due(session)
    await session.flush()
    return delivery


async def _visible(
    session: AsyncSession,
    identity: Identity,
    subscription_id: int,
    delivery_id: int,
    *,
    lock: bool = False,
) -> Delivery:
    await subscriptions.visible(session, identity, subscription_id)
    delivery = await repository.get(session, subscription_id, delivery_id, lock=lock)
    if delivery is None:
        raise NotFound(f"Delivery {delivery_id} not found", error="Delivery not found")
    return delivery
