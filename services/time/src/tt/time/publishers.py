"""What the time service publishes (tt.common.contracts.time, docs/events.md) and the one
way to queue it.

Each change of an entity is one event, written to the outbox in the transaction that
makes the change; ``data`` carries the entity's full state and its row ``version``, which
grows by one with every change (the row is locked while it changes).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Sequence
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import EventType
from tt.common.contracts import time as contracts
from tt.common.events import Event
from tt.common.outbox import Outbox
from tt.common.publisher import Publisher as CommonPublisher

# The state each event carries, per entity: the fields of its contract's model.
STATE_FIELDS: dict[str, tuple[str, ...]] = {
    entity.name: tuple(entity.state.model_fields) for entity in contracts.ENTITIES
}


def _state(
    event_type: EventType, view: dict[str, Any], overrides: dict[str, Any] | None
) -> dict[str, Any]:
    state = {name: view[name] for name in STATE_FIELDS[event_type.entity.name]}
    if overrides:
        state.update(overrides)
    return state


class Publisher:
    """Queues this service's events in the caller's transaction, through tt.common's
    publisher (every state validated against its contract)."""

    def __init__(self, outbox: Outbox) -> None:
        self._publisher = CommonPublisher(outbox)

    async def emit(
        self,
        session: AsyncSession,
        event_type: EventType,
        *,
        version: int,
        view: dict[str, Any],
        overrides: dict[str, Any] | None = None,
    ) -> None:
        """One event for one change; ``view`` is the entity's API shape (its state is cut
        from it, so events and answers never disagree; ``overrides`` for the few fields
        whose event type differs, such as money as a number)."""
        await self._publisher.emit(
            session,
            event_type,
            entity_id=view["id"],
            version=version,
            state=_state(event_type, view, overrides),
        )

    async def emit_with(
        self,
        session: AsyncSession,
        write: str,
        args: Sequence[Any],
        event_type: EventType,
        *,
        version: int,
        view: dict[str, Any],
    ) -> Any:
        """``emit``, with the write itself in the same statement (one round trip, and
        atomic without a transaction); the written row."""
        return await self._publisher.emit_with(
            session,
            write,
            args,
            event_type,
            entity_id=view["id"],
            version=version,
            state=_state(event_type, view, None),
        )

    def event(
        self,
        event_type: EventType,
        *,
        version: int,
        view: dict[str, Any],
        overrides: dict[str, Any] | None = None,
    ) -> Event:
        """The event ``emit`` would queue, for callers that queue many at once."""
        return self._publisher.event(
            event_type,
            entity_id=view["id"],
            version=version,
            state=_state(event_type, view, overrides),
        )

    async def emit_many(
        self, session: AsyncSession, events: Iterable[Event] | AsyncIterable[Event]
    ) -> int:
        """Queue many events (built with ``event``) in one statement: bulk actions and
        imports, where one event per changed entity would otherwise be one insert each."""
        return await self._publisher.emit_many(session, events)


async def publisher(request: Request) -> Publisher:
    """FastAPI dependency: the publisher of this process (built once, ``tt.time.runtime``)."""
    shared: Publisher = request.app.state.runtime.publisher
    return shared
