"""The consumer runner a service's worker builds (``ConsumerRunner.from_resources``): the
topics of its entities from the catalogue, its handlers by event-type pattern, and a
fetched batch applied in one unit of work on the process's sessions, each entity's
stale and repeated versions left out. No broker: the records are built here, as the
runner would fetch them."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka.structs import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from support.events import synthetic_event
from support.fastkit import new_id
from tt.common.consumer import ConsumerRunner, one_at_a_time
from tt.common.contracts.time import CLIENT_CREATED, PROJECT_CREATED, PROJECT_UPDATED
from tt.common.events import Event
from tt.common.resources import Resources
from tt.common.settings import PlatformSettings
from tt.common.topics import Catalogue


def resources_on(sessions: async_sessionmaker[AsyncSession], catalogue: Catalogue) -> Resources:
    """A process's resources whose sessions are the test's (nothing else is used here)."""
    settings = PlatformSettings(TT_ENV="test", TT_KAFKA_BOOTSTRAP="127.0.0.1:1")  # type: ignore[call-arg]
    return Resources(
        settings=settings,
        engine=None,  # type: ignore[arg-type]
        sessions=sessions,
        redis=None,  # type: ignore[arg-type]
        catalogue=catalogue,
        outbox=None,  # type: ignore[arg-type]
    )


def records(events: Sequence[Event], catalogue: Catalogue) -> list[ConsumerRecord[bytes, bytes]]:
    return [
        ConsumerRecord(
            topic=catalogue.for_entity(e.entity).name,
            partition=0,
            offset=offset,
            timestamp=0,
            timestamp_type=0,
            key=e.subject.encode(),
            value=e.to_json(),
            checksum=None,
            serialized_key_size=len(e.subject),
            serialized_value_size=len(e.to_json()),
            headers=[],
        )
        for offset, e in enumerate(events)
    ]


async def test_a_worker_consumer_reads_its_entities_topics_with_its_handlers(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], catalogue: Catalogue
) -> None:
    applied: list[tuple[str, str, int]] = []

    async def record_project(_: AsyncSession, event: Event) -> None:
        applied.append((event.type, event.subject, event.version))

    runner = ConsumerRunner.from_resources(
        resources_on(sessions, catalogue),
        group_id="tt-test-group",
        entities=["project", "client"],
        handlers={"tt.project.*": one_at_a_time(record_project)},
    )
    assert runner.group_id == "tt-test-group"
    assert runner.topics == ["tt.time.projects", "tt.time.clients"]

    project_id = new_id()
    first = synthetic_event(PROJECT_CREATED, project_id, 1, name="A")
    second = synthetic_event(PROJECT_UPDATED, project_id, 2, name="B")
    batch = [first, second, first, synthetic_event(CLIENT_CREATED, new_id(), name="no handler")]
    await runner.process_batch(records(batch, catalogue))
    await runner.process_batch(records([second], catalogue))  # a replay after a rebalance

    assert applied == [
        ("tt.project.created", str(project_id), 1),
        ("tt.project.updated", str(project_id), 2),
    ]
    versions = await session.execute(
        text("SELECT entity, version FROM consumed_versions WHERE entity_id = :id"),
        {"id": str(project_id)},
    )
    assert versions.all() == [("project", 2)]
