"""Helpers for the fast tier (tests/fast): callers' identities, fresh ids, and the events a
use case queued in its service's outbox (read back inside the test's transaction)."""

from __future__ import annotations

import itertools
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.events import Event, parse_event
from tt.common.identity import ADMIN_SCOPE, USER_SCOPES, Identity
from tt.common.outbox import OutboxRecord

# Ids no other test in the session uses: some caches outlive a rolled-back transaction
# (tt.time.users.repository remembers the users it has recorded, per process).
_ids = itertools.count(random.randrange(10**9, 2 * 10**9, 10**5))


def new_id() -> int:
    return next(_ids)


def caller(user_id: int | None = None, *, admin: bool = False, timezone: str = "UTC") -> Identity:
    """A user calling with a full-scope API token (``admin:all`` for an admin)."""
    user_id = new_id() if user_id is None else user_id
    return Identity(
        user_id=user_id,
        username=f"user{user_id}",
        is_admin=admin,
        scopes=frozenset({ADMIN_SCOPE} if admin else USER_SCOPES),
        auth_method="token",
        timezone=timezone,
    )


async def queued_events(session: AsyncSession) -> list[Event]:
    """The events in the outbox, oldest first, as the consumers will read them."""
    rows = await session.execute(select(OutboxRecord.payload).order_by(OutboxRecord.id))
    return [parse_event(payload) for payload in rows.scalars()]
