"""What the time service publishes (deploy/kafka/EVENTS.md) and the one way to queue it.

Each change of an entity is one event, written to the outbox in the transaction that
makes the change; ``data`` carries the entity's full state and its row ``version``, which
grows by one with every change (the row is locked while it changes).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from enum import StrEnum
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.events import Event, make_event
from tt.common.outbox import Outbox
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


# The state each event carries, per entity (EVENTS.md); answers carry more.
STATE_FIELDS: dict[Entity, tuple[str, ...]] = {
    Entity.CLIENT: (
        "id", "name", "email", "company", "phone", "address", "contact_person", "description",
        "default_hourly_rate", "currency", "status", "is_active", "created_at", "updated_at",
    ),
    Entity.PROJECT: (
        "id", "name", "code", "description", "client_id", "client", "billable", "hourly_rate",
        "estimated_hours", "budget_amount", "currency", "status", "is_archived", "created_at",
        "updated_at",
    ),
    Entity.TASK: (
        "id", "project_id", "project", "name", "description", "status", "priority",
        "assigned_to", "due_date", "estimated_hours", "tags", "created_by", "created_at",
        "updated_at", "completed_at",
    ),
    Entity.TIME_ENTRY: (
        "id", "user_id", "user", "project_id", "project", "client_id", "client", "task_id",
        "task", "start_time", "end_time", "duration_seconds", "break_seconds", "paused_at",
        "notes", "tags", "billable", "paid", "source", "is_active", "approval_status",
        "created_at", "updated_at",
    ),
    Entity.APPROVAL: (
        "id", "user_id", "requested_by", "entry_ids", "status", "comment", "decided_by",
        "requested_at", "decided_at",
    ),
}  # fmt: skip


class Publisher:
    """Queues this service's events in the caller's transaction."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

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
        event = self.event(entity, verb, version=version, view=view, overrides=overrides)
        await self._outbox.publish(session, event)

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
        state = {name: view[name] for name in STATE_FIELDS[entity]}
        if overrides:
            state.update(overrides)
        return make_event(
            source=self._outbox.source,
            entity=entity.value,
            verb=verb.value,
            entity_id=view["id"],
            version=version,
            state=state,
        )

    async def emit_many(
        self, session: AsyncSession, events: Iterable[Event] | AsyncIterable[Event]
    ) -> int:
        """Queue many events (built with ``event``) in one statement: bulk actions and
        imports, where one event per changed entity would otherwise be one insert each."""
        return await self._outbox.publish_many(session, events)


async def publisher(request: Request) -> Publisher:
    """FastAPI dependency: the publisher of this process."""
    res: Resources = request.app.state.resources
    return Publisher(res.outbox)
