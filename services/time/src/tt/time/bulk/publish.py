"""Events for many entries changed in one transaction: one query for their answer shape,
one outbox statement for their events (versions as the rows now hold them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import EventType
from tt.common.identity import Identity
from tt.time.entries import repository
from tt.time.entries.views import row_view
from tt.time.publishers import Publisher


async def entry_views(
    session: AsyncSession, identity: Identity, entry_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """The entries as answers show them (with their current ``version``), by id."""
    now = datetime.now(UTC)
    me = (identity.user_id, identity.username)
    rows = await repository.get_rows(session, entry_ids)
    return [{**row_view(row, now=now, fallback_user=me), "version": row["version"]} for row in rows]


async def publish_entries(
    session: AsyncSession,
    events: Publisher,
    views: Sequence[dict[str, Any]],
    event_type: EventType,
    *,
    bump: int = 0,
) -> None:
    """One event per entry view; ``bump`` adds to each view's version (a deletion is one
    change past the last state it carries)."""
    await events.emit_many(
        session,
        (events.event(event_type, version=view["version"] + bump, view=view) for view in views),
    )
