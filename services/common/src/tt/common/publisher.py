"""The one publisher API every producing service uses: an event is built from its typed
contract (``tt.common.contracts``), its state validated, and queued in the caller's
transaction through the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import EventType
from tt.common.events import Event
from tt.common.outbox import Outbox


class Publisher:
    """Queues a service's events; raises InvalidEventState for a state off its contract."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def event(
        self, event_type: EventType, *, entity_id: object, version: int, state: Mapping[str, Any]
    ) -> Event:
        """The event of one change (for callers that queue many with ``emit_many``)."""
        return event_type.build(
            source=self._outbox.source, entity_id=entity_id, version=version, state=state
        )

    async def emit(
        self,
        session: AsyncSession,
        event_type: EventType,
        *,
        entity_id: object,
        version: int,
        state: Mapping[str, Any],
    ) -> None:
        """Queue the event of one change; sent only if the caller's transaction commits."""
        event = self.event(event_type, entity_id=entity_id, version=version, state=state)
        await self._outbox.publish(session, event)

    async def emit_with(
        self,
        session: AsyncSession,
        write: str,
        args: Sequence[Any],
        event_type: EventType,
        *,
        entity_id: object,
        version: int,
        state: Mapping[str, Any],
    ) -> Any:
        """Run ``write`` and queue the event of its change in one statement
        (``Outbox.publish_with``); the written row, or None (then nothing was queued)."""
        event = self.event(event_type, entity_id=entity_id, version=version, state=state)
        return await self._outbox.publish_with(session, write, args, event)

    async def emit_many(
        self, session: AsyncSession, events: Iterable[Event] | AsyncIterable[Event]
    ) -> int:
        """Queue many events (built with ``event``) in one statement: bulk actions and
        imports. Returns how many were queued."""
        return await self._outbox.publish_many(session, events)
