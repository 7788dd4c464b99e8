"""The consumer runner: a Kafka consumer-group member that applies events to a service's
own database.

- An event is applied only if its ``version`` is newer than the one recorded for its
  entity (``consumed_versions``), in the same transaction as the handler's writes, so
  duplicates and replays are harmless.
- Offsets are committed only after that transaction commits.
- An event that cannot be processed goes to ``<topic>.dlq`` with the error, and the
  consumer moves on; a dependency that is down (database, broker) is retried instead.
- Handlers are set-based: each takes the fresh events of one fetched batch (in offset
  order, so in order per entity) and applies them in a few statements. When a batch
  fails, its events are applied one by one (a batch of one each) so only the event that
  fails goes to the DLQ.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, SpanKind
from sqlalchemy import BigInteger, String, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from tt.common.backoff import Backoff
from tt.common.db import PlatformBase, unit_of_work
from tt.common.events import Event, MalformedEvent, parse_event
from tt.common.kafka import (
    BUSY_FETCH,
    IDLE_FETCH,
    MAX_BATCH,
    create_consumer,
    create_producer,
    fetch_mode_after,
    headers_traceparent,
    set_fetch_mode,
    trace_context_from,
)
from tt.common.metrics import CONSUMER_LAG, EVENTS_CONSUMED
from tt.common.outages import is_dependency_outage
from tt.common.topics import Catalogue, dlq_name

if TYPE_CHECKING:
    from tt.common.resources import Resources

IDLE_AFTER_MS = 500  # a busy consumer that gets no record for this long is idle

log = logging.getLogger("tt.consumer")

# A batch's spans cover the traces of its first events (a span each is cheap, not free).
MAX_SPAN_LINKS = 64
tracer = trace.get_tracer("tt.consumer")

Handler = Callable[[AsyncSession, Sequence[Event]], Awaitable[None]]
"""Applies the fresh events of a batch (already version-checked, in offset order)."""

EventHandler = Callable[[AsyncSession, Event], Awaitable[None]]


def one_at_a_time(handler: EventHandler) -> Handler:
    """A batch handler that applies each event with ``handler`` in turn: for consumers
    whose work per event is not a database write (or too rare to be worth a set)."""

    async def apply(session: AsyncSession, events: Sequence[Event]) -> None:
        for event in events:
            await handler(session, event)

    return apply


class RetryLater(Exception):
    """Raised by a handler when a dependency is down: the event is retried, not dead-lettered."""


class ConsumedVersion(PlatformBase):
    """The newest version of each entity this service has applied."""

    __tablename__ = "consumed_versions"

    entity: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


async def claim_version(session: AsyncSession, event: Event) -> bool:
    """Record ``event``'s version for its entity; False if an equal or newer one was applied."""
    values = insert(ConsumedVersion).values(
        entity=event.entity, entity_id=event.subject, version=event.version
    )
    upsert = values.on_conflict_do_update(
        index_elements=[ConsumedVersion.entity, ConsumedVersion.entity_id],
        set_={"version": values.excluded.version},
        where=ConsumedVersion.version < values.excluded.version,
    ).returning(ConsumedVersion.version)
    return (await session.execute(upsert)).first() is not None


_HELD_VERSIONS = text(
    "SELECT c.entity, c.entity_id, c.version FROM consumed_versions AS c "
    "JOIN unnest(CAST(:entities AS text[]), CAST(:ids AS text[])) AS k(entity, entity_id) "
    "ON c.entity = k.entity AND c.entity_id = k.entity_id "
    "ORDER BY c.entity, c.entity_id FOR UPDATE OF c"
)
_CLAIM_VERSIONS = text(
    "INSERT INTO consumed_versions (entity, entity_id, version) "
    "SELECT * FROM unnest(CAST(:entities AS text[]), CAST(:ids AS text[]), "
    "CAST(:versions AS bigint[])) "
    "ON CONFLICT (entity, entity_id) DO UPDATE SET version = excluded.version "
    "WHERE consumed_versions.version < excluded.version"
)


async def claim_versions(session: AsyncSession, events: Sequence[Event]) -> list[bool]:
    """``claim_version`` for a batch in two statements (whatever its size): which events
    are newer than what was applied and than earlier events of the same entity in the
    batch. The held rows are locked, so a second consumer of the partition (during a
    rebalance) waits instead of applying the same events."""
    keys = sorted({(e.entity, e.subject) for e in events})
    held = await session.execute(
        _HELD_VERSIONS, {"entities": [k[0] for k in keys], "ids": [k[1] for k in keys]}
    )
    current: dict[tuple[str, str], int] = {(r[0], r[1]): r[2] for r in held}
    newest = dict(current)
    fresh = []
    for event in events:
        key = (event.entity, event.subject)
        is_fresh = event.version > newest.get(key, 0)
        if is_fresh:
            newest[key] = event.version
        fresh.append(is_fresh)
    changed = sorted((k, v) for k, v in newest.items() if current.get(k) != v)
    if changed:
        await session.execute(
            _CLAIM_VERSIONS,
            {
                "entities": [k[0] for k, _ in changed],
                "ids": [k[1] for k, _ in changed],
                "versions": [v for _, v in changed],
            },
        )
    return fresh


# SQLSTATE classes meaning "the server cannot serve right now": connection exceptions (08),
# operator intervention such as a shutdown or a server still starting (57P), insufficient
# resources (53). SQLAlchemy wraps these as a plain DBAPIError, not an OperationalError.
def is_transient(exc: BaseException) -> bool:
    """A failure of a dependency (retry the same work) rather than of the event."""
    return isinstance(exc, RetryLater | KafkaError) or is_dependency_outage(exc)


class HandlerTable:
    """Event-type globs (``tt.project.*``, ``tt.time_entry.created`` or ``*``) to handlers;
    the first glob matching a type, in mapping order, wins."""

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self._handlers = dict(handlers)
        self._resolved: dict[str, Handler | None] = {}

    def get(self, event_type: str) -> Handler | None:
        if event_type not in self._resolved:
            self._resolved[event_type] = next(
                (h for glob, h in self._handlers.items() if fnmatch.fnmatchcase(event_type, glob)),
                None,
            )
        return self._resolved[event_type]


class ConsumerRunner:
    """Consumes the topics of the given entities and dispatches events by type pattern.

    ``handlers`` maps an event-type glob (``tt.project.*``, ``tt.time_entry.created`` or
    ``*``) to a handler; the first matching pattern in mapping order wins.
    """

    def __init__(
        self,
        *,
        group_id: str,
        bootstrap: str,
        catalogue: Catalogue,
        sessions: async_sessionmaker[AsyncSession],
        entities: Sequence[str],
        handlers: Mapping[str, Handler],
        dedupe_by_version: bool = True,
        on_batch_committed: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.group_id = group_id
        self._bootstrap = bootstrap
        self._sessions = sessions
        self._topics = [catalogue.for_entity(e).name for e in entities]
        self._handlers = HandlerTable(handlers)
        self._dedupe = dedupe_by_version
        self._on_batch_committed = on_batch_committed
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq_producer: AIOKafkaProducer | None = None
        self._positions: dict[TopicPartition, int] = {}
        self.lag: dict[TopicPartition, int] = {}

    @classmethod
    def from_resources(
        cls,
        resources: Resources,
        *,
        group_id: str,
        entities: Sequence[str],
        handlers: Mapping[str, Handler],
        on_batch_committed: Callable[[], Awaitable[None]] | None = None,
    ) -> ConsumerRunner:
        """A service worker's consumer: the broker, topic catalogue and database sessions
        of its process (``resources``), the entities whose topics it reads, its handlers
        and what to do after each committed batch."""
        return cls(
            group_id=group_id,
            bootstrap=resources.settings.kafka_bootstrap,
            catalogue=resources.catalogue,
            sessions=resources.sessions,
            entities=entities,
            handlers=handlers,
            on_batch_committed=on_batch_committed,
        )

    @property
    def topics(self) -> list[str]:
        return list(self._topics)

    async def run(self) -> None:
        """Consume until cancelled, reconnecting with backoff while the broker is down."""
        retry = Backoff(0.5, 15.0)
        while True:
            try:
                await self._start()
                retry.reset()
                await self._consume_forever()
            except (KafkaError, OSError) as exc:
                log.warning(
                    "consumer %s lost Kafka, retrying in %.1fs: %s", self.group_id, retry.step, exc
                )
                await retry.wait()
            finally:
                await self._stop()

    async def _start(self) -> None:
        consumer = create_consumer(self._bootstrap, self.group_id, self._topics)
        try:
            await consumer.start()
        except BaseException:
            await consumer.stop()
            raise
        self._consumer = consumer

    async def _stop(self) -> None:
        consumer, self._consumer = self._consumer, None
        producer, self._dlq_producer = self._dlq_producer, None
        for client in (consumer, producer):
            if client is not None:
                try:
                    await client.stop()
                except (KafkaError, OSError) as exc:
                    log.debug("client stop failed: %s", exc)

    async def _consume_forever(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        mode = BUSY_FETCH
        while True:
            wait = IDLE_FETCH.wait_ms if mode is IDLE_FETCH else IDLE_AFTER_MS
            batch = await consumer.getmany(timeout_ms=wait, max_records=MAX_BATCH)
            suited = fetch_mode_after(sum(len(records) for records in batch.values()))
            if suited is not mode:
                mode = suited
                set_fetch_mode(consumer, mode)
            if not batch:
                self._record_lag(consumer)
                continue
            # The partitions' records in one batch (an entity's events are all in one
            # partition, in order), then one offset commit for them all.
            await self.process_batch([r for records in batch.values() for r in records])
            offsets = {tp: records[-1].offset + 1 for tp, records in batch.items()}
            self._positions.update(offsets)
            try:
                await consumer.commit(offsets)
            except CommitFailedError as exc:
                # A rebalance moved a partition; the next owner re-reads and dedupes.
                log.warning("offset commit failed after rebalance: %s", exc)
            self._record_lag(consumer)
            if self._on_batch_committed is not None:
                await self._on_batch_committed()

    def _record_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            high = consumer.highwater(tp)
            position = self._positions.get(tp)
            if high is None or position is None:
                continue
            self.lag[tp] = max(0, high - position)
            CONSUMER_LAG.labels(self.group_id, tp.topic, str(tp.partition)).set(self.lag[tp])

    async def process_batch(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        """Apply the records of one fetch: all in one transaction, or one by one if one fails."""
        decoded: list[tuple[ConsumerRecord[Any, Any], Event, Handler]] = []
        for record in records:
            item = await self._decode(record)
            if item is not None:
                decoded.append((record, *item))
        if not decoded:
            return
        if len(decoded) > 1:
            try:
                await self._with_retry(lambda: self._apply_all(decoded))
                return
            except Exception as exc:
                log.info("batch failed (%s); applying its records one by one", exc)
        for record, event, handler in decoded:
            await self._apply_one(record, event, handler)

    async def _decode(self, record: ConsumerRecord[Any, Any]) -> tuple[Event, Handler] | None:
        if record.value is None:  # tombstone: compaction marker, nothing to apply
            return None
        try:
            event = parse_event(record.value)
        except MalformedEvent as exc:
            await self._dead_letter(record, exc)
            return None
        handler = self._handlers.get(event.type)
        if handler is None:
            EVENTS_CONSUMED.labels(self.group_id, record.topic, "ignored").inc()
            return None
        return event, handler

    async def _apply_all(
        self, items: Sequence[tuple[ConsumerRecord[Any, Any], Event, Handler]]
    ) -> None:
        async with unit_of_work(self._sessions) as session:
            fresh = (
                await claim_versions(session, [event for _, event, _ in items])
                if self._dedupe
                else [True] * len(items)
            )
            await self._apply(session, [item for item, f in zip(items, fresh, strict=True) if f])
        for (record, _, _), is_fresh in zip(items, fresh, strict=True):
            EVENTS_CONSUMED.labels(
                self.group_id, record.topic, "applied" if is_fresh else "stale"
            ).inc()

    async def _apply(
        self,
        session: AsyncSession,
        items: Sequence[tuple[ConsumerRecord[Any, Any], Event, Handler]],
    ) -> None:
        """Hand the fresh events to their handlers: consecutive events of one handler in one
        call, so the order per entity (and across handlers) is the offset order.

        Each trace in the batch gets a consumer span, a child of its first event's produce
        span, so a request stays one trace from the client to every consumer; a batch of
        several traces also gets a span of its own that links them. All cover the apply."""
        if not items:
            return
        # One fetch may span topics: each trace's span names its own event's topic; the
        # batch's names the topic only if there is one.
        topics = {record.topic for record, _, _ in items}
        attributes: dict[str, str | int] = {
            "messaging.system": "kafka",
            "messaging.consumer.group.name": self.group_id,
            "messaging.batch.message_count": len(items),
        }
        per_trace = [
            tracer.start_span(
                f"{record.topic} process",
                context=context,
                kind=SpanKind.CONSUMER,
                attributes={
                    **attributes,
                    "messaging.destination.name": record.topic,
                    "cloudevents.event_type": event.type,
                    "cloudevents.event_id": event.id,
                },
            )
            for context, record, event in _trace_starts(items)
        ]
        batch = (
            per_trace[0]
            if len(per_trace) == 1
            else tracer.start_span(
                f"{next(iter(topics))} process" if len(topics) == 1 else "process",
                kind=SpanKind.CONSUMER,
                attributes=attributes,
                links=[Link(span.get_span_context()) for span in per_trace],
            )
        )
        try:
            with trace.use_span(batch, end_on_exit=False):
                for handler, run in groupby(items, key=lambda item: item[2]):
                    await handler(session, [event for _, event, _ in run])
        finally:
            for span in per_trace:
                span.end()
            if len(per_trace) != 1:
                batch.end()

    async def _apply_one(
        self, record: ConsumerRecord[Any, Any], event: Event, handler: Handler
    ) -> None:
        async def attempt() -> bool:
            async with unit_of_work(self._sessions) as session:
                if self._dedupe and not await claim_version(session, event):
                    return False
                await self._apply(session, [(record, event, handler)])
                return True

        try:
            applied = await self._with_retry(attempt)
        except Exception as exc:
            log.exception("event %s (%s) failed; sent to DLQ", event.id, event.type)
            await self._dead_letter(record, exc)
            return
        EVENTS_CONSUMED.labels(self.group_id, record.topic, "applied" if applied else "stale").inc()

    async def _with_retry(self, attempt: Callable[[], Awaitable[Any]]) -> Any:
        retry = Backoff(0.2, 10.0)
        while True:
            try:
                return await attempt()
            except Exception as exc:
                if not is_transient(exc):
                    raise
                log.warning(
                    "consumer %s: dependency unavailable, retrying in %.1fs: %s",
                    self.group_id,
                    retry.step,
                    exc,
                )
                await retry.wait()

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], error: BaseException) -> None:
        headers = [
            *(record.headers or ()),
            ("x-tt-error", f"{type(error).__name__}: {error}"[:2000].encode()),
            ("x-tt-original-topic", record.topic.encode()),
            ("x-tt-original-partition", str(record.partition).encode()),
            ("x-tt-original-offset", str(record.offset).encode()),
            ("x-tt-consumer-group", self.group_id.encode()),
        ]

        async def send() -> None:
            if self._dlq_producer is None:
                producer = create_producer(self._bootstrap)
                await producer.start()
                self._dlq_producer = producer
            await self._dlq_producer.send_and_wait(
                dlq_name(record.topic), record.value, key=record.key, headers=headers
            )

        await self._with_retry(send)
        EVENTS_CONSUMED.labels(self.group_id, record.topic, "dead_lettered").inc()


def _trace_starts(
    items: Sequence[tuple[ConsumerRecord[Any, Any], Event, Handler]],
) -> list[tuple[Context, ConsumerRecord[Any, Any], Event]]:
    """The first event of each trace in the batch, its record and its context (at most
    MAX_SPAN_LINKS)."""
    starts: dict[int, tuple[Context, ConsumerRecord[Any, Any], Event]] = {}
    for record, event, _ in items:
        context = trace_context_from(headers_traceparent(record.headers) or event.traceparent)
        if context is None:
            continue
        trace_id = trace.get_current_span(context).get_span_context().trace_id
        starts.setdefault(trace_id, (context, record, event))
        if len(starts) == MAX_SPAN_LINKS:
            break
    return list(starts.values())
