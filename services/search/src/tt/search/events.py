"""What the search service consumes: the time service's topics, one handler for all.

Every event carries its entity's full state (EVENTS.md), so a change is an upsert of
that entity's row and a ``deleted`` event removes it. The consumer runner applies an
event only if its version is newer than the one already applied.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.consumer import ConsumerRunner, Handler
from tt.common.events import Event
from tt.common.resources import Resources
from tt.search.documents.indexing import KIND_OF_ENTITY, InvalidState, document_for
from tt.search.documents.repository import remove_document, save_document

# Entities whose topics feed the index (the topic names live in topics.yaml).
ENTITIES: tuple[str, ...] = tuple(KIND_OF_ENTITY)


async def index_event(session: AsyncSession, event: Event) -> None:
    """Apply one project, task, client or time-entry event to the search table."""
    try:
        entity_id = int(event.subject)
    except ValueError as exc:
        raise InvalidState(f"subject is not an entity id: {event.subject!r}") from exc
    if event.verb == "deleted":
        await remove_document(session, KIND_OF_ENTITY[event.entity], entity_id)
    else:
        await save_document(session, document_for(event.entity, entity_id, event.state))


HANDLERS: dict[str, Handler] = {f"tt.{entity}.*": index_event for entity in ENTITIES}


def indexer(resources: Resources, group_id: str) -> ConsumerRunner:
    """The consumer that keeps the search table in step with the topics."""
    return ConsumerRunner(
        group_id=group_id,
        bootstrap=resources.settings.kafka_bootstrap,
        catalogue=resources.catalogue,
        sessions=resources.sessions,
        entities=ENTITIES,
        handlers=HANDLERS,
    )
