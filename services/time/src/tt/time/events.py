"""What the time service publishes (tt.common.contracts.time, docs/events.md) and the one
way to queue it.

Each change of an entity is one event, written to the outbox in the transaction that
makes the change; ``data`` carries the entity's full state and its row ``version``, which
grows by one with every change (the row is locked while it changes).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Sequence
from enum import StrEnum
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import Entity as EntityContract
from tt.common.contracts import time as contracts
from tt.common.events import Event
from tt.common.outbox import Outbox
from tt.common.publisher import Publisher as CommonPublisher
from tt.common.resources import Resources


class Entity(StrEnum):
    CLIENT = "client"
    PROJECT = "project"
    TASK = "task"
    TIME_ENTRY = "time_entry"
    APPROVAL = "approval"


class Verb(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    STATUS_CHANGED = "status_changed"  # projects
    COMPLETED = "completed"  # tasks moved to done
    TIMER_STARTED = "timer_started"  # time entries
    TIMER_STOPPED = "timer_stopped"
    TIMER_PAUSED = "timer_paused"
    TIMER_RESUMED = "timer_resumed"


# Each entity's contract (tt.common.contracts.time): its state model and event types.
CONTRACTS: dict[Entity, EntityContract[Any]] = {
    Entity.CLIENT: contracts.CLIENT,
    Entity.PROJECT: contracts.PROJECT,
    Entity.TASK: contracts.TASK,
    Entity.TIME_ENTRY: contracts.TIME_ENTRY,
    Entity.APPROVAL: contracts.APPROVAL,
}
# The state each event carries, per entity: the fields of its contract's model.
STATE_FIELDS: dict[Entity, tuple[str, ...]] = {
    entity: tuple(contract.state.model_fields) for entity, contract in CONTRACTS.items()
}


def _state(
    entity: Entity, view: dict[str, Any], overrides: dict[str, Any] | None
) -> dict[str, Any]:
    state = {name: view[name] for name in STATE_FIELDS[entity]}
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
        entity: Entity,
        verb: Verb,
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
            CONTRACTS[entity].verb(verb.value),
            entity_id=view["id"],
            version=version,
            state=_state(entity, view, overrides),
        )

    async def emit_with(
        self,
        session: AsyncSession,
        write: str,
        args: Sequence[Any],
        entity: Entity,
        verb: Verb,
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
            CONTRACTS[entity].verb(verb.value),
            entity_id=view["id"],
            version=version,
            state=_state(entity, view, None),
        )

    def event(
        self,
        entity: Entity,
        verb: Verb,
        *,
        version: int,
        view: dict[str, Any],
        overrides: dict[str, Any] | None = None,
    ) -> Event:
        """The event ``emit`` would queue, for callers that queue many at once."""
        return self._publisher.event(
            CONTRACTS[entity].verb(verb.value),
            entity_id=view["id"],
            version=version,
            state=_state(entity, view, overrides),
        )

    async def emit_many(
        self, session: AsyncSession, events: Iterable[Event] | AsyncIterable[Event]
    ) -> int:
        """Queue many events (built with ``event``) in one statement: bulk actions and
        imports, where one event per changed entity would otherwise be one insert each."""
        return await self._publisher.emit_many(session, events)


async def publisher(request: Request) -> Publisher:
    """FastAPI dependency: the publisher of this process."""
    res: Resources = request.app.state.resources
    return Publisher(res.outbox)
