"""What the search service consumes: the time service's topics, one handler for all.

Every event carries its entity's full state (docs/events.md), so a change is an upsert of
that entity's row and a ``deleted`` event removes it. The consumer runner applies an
event only if its version is newer than the one already applied.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.consumer import ConsumerRunner, Handler
from tt.common.contracts import DELETED
from tt.common.contracts.time import CLIENT, PROJECT, TASK, TIME_ENTRY
from tt.common.events import Event
from tt.common.resources import Resources
from tt.search.documents.indexing import KIND_OF_ENTITY, Document, document_for, entity_id_of
from tt.search.documents.repository import remove_documents, save_documents

# Entities whose topics feed the index (the topic names live in topics.yaml).
ENTITIES: tuple[str, ...] = tuple(KIND_OF_ENTITY)


def document_change(event: Event) -> Document | tuple[str, int]:
    """The row an event leaves: its new document, or the (kind, id) it deletes."""
    if event.verb == DELETED:
        return KIND_OF_ENTITY[event.entity], entity_id_of(event.subject)
    return document_for(event)


async def index_events(session: AsyncSession, events: Sequence[Event]) -> None:
    """Apply a batch of project, task, client and time-entry events to the search table:
    the last change of each entity (events come version-checked, in order), in one
    delete and one upsert."""
    changes: dict[tuple[str, int], Document | tuple[str, int]] = {}
    for event in events:
        change = document_change(event)
        key = (change.kind, change.entity_id) if isinstance(change, Document) else change
        changes[key] = change
    await remove_documents(session, [c for c in changes.values() if not isinstance(c, Document)])
    await save_documents(session, [c for c in changes.values() if isinstance(c, Document)])


HANDLERS: dict[str, Handler] = {
    contract.pattern: index_events for contract in (PROJECT, TASK, CLIENT, TIME_ENTRY)
}


def indexer(resources: Resources, group_id: str) -> ConsumerRunner:
    """The consumer that keeps the search table in step with the topics."""
    return ConsumerRunner.from_resources(
        resources, group_id=group_id, entities=ENTITIES, handlers=HANDLERS
    )
