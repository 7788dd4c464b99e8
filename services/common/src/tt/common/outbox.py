"""The transactional outbox: events are rows written in the caller's transaction, and a
relay sends them to Kafka afterwards.

A broker outage only delays events: rows stay until Kafka has acknowledged them
(idempotent producer, ``acks=all``), then they are deleted. One relay per database is
active at a time (a PostgreSQL advisory lock), so per-entity order is the commit order.

A row that Kafka refuses by itself (a non-retriable error such as a record over the
broker's size limit) counts an attempt and keeps the error; after ``max_attempts`` it is
moved to ``outbox_parked`` (logged once, counted in ``/metrics``) and the rows behind it
go on. ``requeue_parked`` (``./dev outbox --retry ID``) puts it back in the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from datetime import datetime
from itertools import groupby
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.engine import Row
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from tt.common.backoff import Backoff
from tt.common.db import PlatformBase, driver
from tt.common.events import Event
from tt.common.kafka import create_producer, trace_context_from
from tt.common.metrics import (
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PARKED,
    OUTBOX_PARKED_TOTAL,
    OUTBOX_PENDING,
    OUTBOX_SENT,
)
from tt.common.topics import Catalogue

log = logging.getLogger("tt.outbox")
tracer = trace.get_tracer("tt.outbox")

NOTIFY_CHANNEL = "tt_outbox"
# Any constant works: it only has to be the same for every relay of one database.
RELAY_LOCK_ID = 7_420_001
# After a round that found several rows (writes stream in), the relay lets this much time
# pass before the next, so it sends more rows per round: each round costs the relay,
# PostgreSQL and the broker about the same whatever its size. A lone write is sent at once.
# 100 ms rather than 20: under saturating creates the relay, the broker and the consumers
# spent 1.1-1.7 ms of CPU per event at 20 ms and 0.7 ms at 100 ms, for 100 ms more latency.
STREAM_LINGER_SECONDS = 0.1


class _EventRow:
    """What an outbox row, pending or parked, holds of its event."""

    topic: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(200))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    traceparent: Mapped[str | None] = mapped_column(String(55))
    tombstone: Mapped[bool] = mapped_column(default=False)


class OutboxRecord(_EventRow, PlatformBase):
    """An event waiting to be sent; deleted once Kafka acknowledged it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)


class ParkedOutboxRecord(_EventRow, PlatformBase):
    """An outbox row that failed ``max_attempts`` times, kept with its error for a human."""

    __tablename__ = "outbox_parked"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    parked_at: Mapped[datetime] = mapped_column(server_default=func.now())


_COUNT_ATTEMPT = text(
    "UPDATE outbox AS o SET attempts = o.attempts + 1, last_error = v.error "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:errors AS text[])) AS v(id, error) "
    "WHERE o.id = v.id RETURNING o.id, o.attempts"
)
_PARK = text(
    "WITH moved AS (DELETE FROM outbox WHERE id = ANY(CAST(:ids AS bigint[])) RETURNING *) "
    "INSERT INTO outbox_parked (id, topic, key, event_type, payload, traceparent, tombstone, "
    "created_at, attempts, last_error) "
    "SELECT id, topic, key, event_type, payload, traceparent, tombstone, "
    "created_at, attempts, last_error FROM moved"
)
_PENDING = text(
    "SELECT id, topic, key, event_type, payload, traceparent, tombstone "
    "FROM outbox ORDER BY id LIMIT :limit"
)
# One round trip: the row, and the NOTIFY that wakes the relay. NOTIFY is transactional,
# so the relay wakes only when the row is visible. (An ORM object flushed at commit plus a
# NOTIFY statement was two round trips and the unit of work's CPU on every write.)
_QUEUE = text(
    "WITH queued AS (INSERT INTO outbox (topic, key, event_type, payload, traceparent, "
    "tombstone) VALUES (:topic, :key, :event_type, :payload, :traceparent, :tombstone) "
    "RETURNING id) SELECT pg_notify(:channel, '') FROM queued"
)
# The same, after a write in the same statement, and only if the write touched a row:
# ``written`` is the caller's INSERT/UPDATE ... RETURNING (parameters $1..$n, the event's
# after them). One statement is atomic on its own, so the write and its event land
# together whether or not a transaction has begun, in one round trip instead of two.
_QUEUE_AFTER = (
    "WITH written AS ({write}), queued AS (INSERT INTO outbox (topic, key, event_type, "
    "payload, traceparent, tombstone) SELECT ${0}::varchar, ${1}::varchar, "
    "${2}::varchar, ${3}::bytea, ${4}::varchar, ${5}::boolean "
    "WHERE EXISTS (SELECT FROM written) RETURNING id) "
    "SELECT (SELECT pg_notify('{channel}', '') FROM queued) AS queued, written.* "
    "FROM written"
)
_DELETE_SENT = text("DELETE FROM outbox WHERE id = ANY(CAST(:ids AS bigint[]))")
_REQUEUE = text(
    "WITH moved AS (DELETE FROM outbox_parked WHERE id = :id RETURNING *) "
    "INSERT INTO outbox (topic, key, event_type, payload, traceparent, tombstone) "
    "SELECT topic, key, event_type, payload, traceparent, tombstone FROM moved RETURNING id"
)


def is_outage(exc: BaseException) -> bool:
    """A failure of the broker or the network (retried for as long as it lasts), as opposed
    to Kafka refusing one record (counted against that row)."""
    if isinstance(exc, KafkaError):
        return bool(exc.retriable)
    return isinstance(exc, (TimeoutError, OSError))


async def list_parked(session: AsyncSession) -> list[ParkedOutboxRecord]:
    """The parked rows of this database, oldest first."""
    rows = await session.execute(select(ParkedOutboxRecord).order_by(ParkedOutboxRecord.id))
    return list(rows.scalars().all())


async def requeue_parked(session: AsyncSession, parked_id: int) -> int | None:
    """Move a parked row back to the end of the outbox (attempts reset); its new outbox id,
    or None if no parked row has that id. The caller commits."""
    new_id = (await session.execute(_REQUEUE, {"id": parked_id})).scalar_one_or_none()
    if new_id is not None:
        await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
    return new_id


class Outbox:
    """Writes events for one service into its outbox, inside the caller's transaction."""

    def __init__(self, catalogue: Catalogue, source: str) -> None:
        self._catalogue = catalogue
        self.source = source

    async def publish(self, session: AsyncSession, event: Event) -> None:
        """Queue ``event``; it is sent only if the caller's transaction commits."""
        await session.execute(
            _QUEUE,
            {
                "topic": self._catalogue.for_entity(event.entity).name,
                "key": event.subject,
                "event_type": event.type,
                "payload": event.to_json(),
                "traceparent": event.traceparent,
                "tombstone": event.verb == "deleted",
                "channel": NOTIFY_CHANNEL,
            },
        )

    async def publish_with(
        self, session: AsyncSession, write: str, args: Sequence[Any], event: Event
    ) -> Any:
        """Run ``write`` (one INSERT or UPDATE ... RETURNING, parameters ``$1``..``$n``
        for ``args``) and queue ``event`` in the same statement, on the session's driver
        connection: the hot writes' path, with neither SQLAlchemy's per-statement work nor
        a round trip of its own for the event. Returns the written row (an asyncpg
        record), or None when ``write`` touched no row (then no event is queued)."""
        n = len(args)
        sql = _QUEUE_AFTER.format(*range(n + 1, n + 7), write=write, channel=NOTIFY_CHANNEL)
        conn = await driver(session)
        return await conn.fetchrow(sql, *args, *self._row(event))

    def _row(self, event: Event) -> tuple[Any, ...]:
        """The outbox columns of ``event``, in ``_QUEUE_AFTER``'s and the COPY's order."""
        return (
            self._catalogue.for_entity(event.entity).name,
            event.subject,
            event.type,
            event.to_json(),
            event.traceparent,
            event.verb == "deleted",
        )

    async def publish_many(
        self, session: AsyncSession, events: Iterable[Event] | AsyncIterable[Event]
    ) -> int:
        """Queue many events with one ``COPY`` (bulk writes: imports, bulk actions), in the
        caller's transaction like ``publish``; returns how many were queued. ``events`` may
        be a generator, so a large batch is never held in memory at once."""
        # A statement through the session first: it begins the transaction on the driver
        # connection, so the COPY below is part of it (and NOTIFY waits for the commit).
        await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
        conn = await driver(session)

        async def records() -> AsyncIterator[tuple[Any, ...]]:
            if isinstance(events, AsyncIterable):
                async for event in events:
                    yield self._row(event)
            else:
                for event in events:
                    yield self._row(event)

        status = await conn.copy_records_to_table(
            OutboxRecord.__tablename__,
            records=records(),
            columns=["topic", "key", "event_type", "payload", "traceparent", "tombstone"],
        )
        return int(str(status).rsplit(" ", 1)[-1] or 0)


class OutboxRelay:
    """Sends pending outbox rows to Kafka in commit order, retrying while the broker is down."""

    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        bootstrap: str,
        *,
        batch_size: int = 500,
        poll_interval: float = 30.0,
        max_backoff: float = 15.0,
        max_attempts: int = 5,
        retry_interval: float = 1.0,
    ) -> None:
        """The relay wakes on the NOTIFY that every outbox write sends with its commit, and
        starts over when its LISTEN connection closes (a PostgreSQL restart), so
        ``poll_interval`` is only a safety net for a NOTIFY lost some other way; a short one
        made the idle relay query PostgreSQL every second.
        ``retry_interval`` spaces the attempts of a row Kafka refused."""
        self._engine = engine
        self._sessions = sessions
        self._bootstrap = bootstrap
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        self._max_attempts = max_attempts
        self._retry_interval = retry_interval
        self._refused = False  # the last drain left rows Kafka refused: retry after a pause
        self._wakeup = asyncio.Event()
        self._listen_lost = False
        self._producer: AIOKafkaProducer | None = None

    async def run(self) -> None:
        """Run until cancelled: hold the relay lock, then drain the outbox forever. When the
        database goes away (a PostgreSQL restart drops the lock, the LISTEN and every
        pooled connection), start over with backoff instead of ending the worker: rows wait
        in the outbox meanwhile, so nothing is lost."""
        retry = Backoff(0.5, self._max_backoff)
        while True:
            started = asyncio.get_running_loop().time()
            try:
                await self._hold_lock_and_drain()
            except Exception as exc:  # anything else would stop the relay for good
                await self._stop_producer()
                if asyncio.get_running_loop().time() - started > self._max_backoff:
                    retry.reset()  # it ran a while: this is a new outage, not the same one
                log.warning(
                    "outbox relay lost its database, retrying in %.1fs: %r", retry.step, exc
                )
                await retry.wait()

    async def _hold_lock_and_drain(self) -> None:
        async with self._engine.connect() as lock_conn:
            await self._acquire_relay_lock(lock_conn)
            listener = (await lock_conn.get_raw_connection()).driver_connection
            assert listener is not None
            await listener.add_listener(NOTIFY_CHANNEL, self._on_notify)
            self._listen_lost = False
            listener.add_termination_listener(self._on_listen_lost)
            try:
                await self._drain_forever()
            finally:
                listener.remove_termination_listener(self._on_listen_lost)
                with contextlib.suppress(Exception):  # the connection may be gone already
                    await listener.remove_listener(NOTIFY_CHANNEL, self._on_notify)
                await self._stop_producer()

    def _on_notify(self, *_: Any) -> None:
        self._wakeup.set()

    def _on_listen_lost(self, *_: Any) -> None:
        # With the connection went the NOTIFYs and the relay lock (another replica may hold
        # it now): wake up and start over.
        self._listen_lost = True
        self._wakeup.set()

    async def _acquire_relay_lock(self, conn: Any) -> None:
        # This connection holds the lock and the LISTEN while it waits: never idle-closed.
        await conn.execute(text("SET idle_session_timeout = 0"))
        await conn.commit()
        while True:
            got = (
                await conn.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": RELAY_LOCK_ID})
            ).scalar()
            await conn.commit()
            if got:
                log.info("outbox relay active")
                return
            await asyncio.sleep(2.0)

    async def _drain_forever(self) -> None:
        retry = Backoff(0.5, self._max_backoff)
        while True:
            if self._listen_lost:
                raise ConnectionError("the relay's LISTEN connection closed")
            # Cleared before the drain, not after: a NOTIFY that comes while rows are being
            # sent must wake the next round, not be lost until the poll (30 s).
            self._wakeup.clear()
            try:
                sent = await self.drain_once()
                retry.reset()
            except (TimeoutError, KafkaError, OSError) as exc:
                log.warning(
                    "outbox relay cannot reach Kafka, retrying in %.1fs: %s", retry.step, exc
                )
                await self._stop_producer()
                await retry.wait()
                continue
            if self._refused:
                # Not at once (a NOTIFY would make it a busy loop): the next attempt waits.
                await asyncio.sleep(self._retry_interval)
            elif sent < self._batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self._poll_interval)
                if sent > 1:
                    await asyncio.sleep(STREAM_LINGER_SECONDS)

    async def drain_once(self) -> int:
        """Send one batch of pending rows; returns how many were sent. Rows Kafka refused
        count an attempt (and are parked after ``max_attempts``); a broker outage raises
        and leaves every row of the batch to be sent again."""
        async with self._sessions() as session:
            # Plain rows, not ORM objects: the relay only reads them once and deletes them.
            rows = (await session.execute(_PENDING, {"limit": self._batch_size})).all()
            OUTBOX_BACKLOG.set(len(rows))
            self._refused = False
            if not rows:
                return 0
            refused = await self._send(rows)
            sent = [r.id for r in rows if r.id not in refused]
            if sent:
                await session.execute(_DELETE_SENT, {"ids": sent})
            if refused:
                self._refused = True
                await self._count_refusals(session, rows, refused)
            await session.commit()
        OUTBOX_SENT.inc(len(sent))
        return len(sent)

    async def _count_refusals(
        self,
        session: AsyncSession,
        rows: Sequence[Row[Any]],
        refused: dict[int, BaseException],
    ) -> None:
        ids = sorted(refused)
        errors = [f"{type(refused[i]).__name__}: {refused[i]}"[:2000] for i in ids]
        counted = await session.execute(_COUNT_ATTEMPT, {"ids": ids, "errors": errors})
        to_park = sorted(row_id for row_id, attempts in counted if attempts >= self._max_attempts)
        for row_id, error in zip(ids, errors, strict=True):
            if row_id not in to_park:
                log.warning("outbox row %s refused by Kafka, will retry: %s", row_id, error)
        if not to_park:
            return
        await session.execute(_PARK, {"ids": to_park})
        by_id = {r.id: r for r in rows}
        for row_id in to_park:
            row = by_id[row_id]
            log.error(
                "outbox row %s (%s, key %s) parked after %d attempts: %s",
                row_id,
                row.event_type,
                row.key,
                self._max_attempts,
                errors[ids.index(row_id)],
            )
        OUTBOX_PARKED_TOTAL.inc(len(to_park))

    async def _send(self, rows: Sequence[Row[Any]]) -> dict[int, BaseException]:
        """Send the rows; the ones Kafka refused, by id. Raises on an outage."""
        producer = await self._ensure_producer()
        pending: list[tuple[int, asyncio.Future[Any]]] = []
        refused: dict[int, BaseException] = {}
        # One produce span per run of rows that share a trace and a topic, continuing the
        # trace of the request that wrote them: a 100k-row import is one trace, and a span
        # per row made the relay spend most of its time on spans.
        for (traceparent, topic), run in groupby(rows, key=lambda r: (r.traceparent, r.topic)):
            with tracer.start_as_current_span(
                f"{topic} publish",
                context=trace_context_from(traceparent),
                kind=SpanKind.PRODUCER,
                attributes={"messaging.system": "kafka", "messaging.destination.name": topic},
            ) as span:
                headers = _trace_headers()
                count, event_types = 0, set()
                for row in run:
                    count += 1
                    event_types.add(row.event_type)
                    key = row.key.encode()
                    # A deletion is its last state, then a tombstone for compaction.
                    values = (row.payload, None) if row.tombstone else (row.payload,)
                    try:
                        for value in values:
                            sent = await producer.send(topic, value, key=key, headers=headers)
                            pending.append((row.id, sent))
                    except KafkaError as exc:
                        if is_outage(exc):
                            raise
                        refused[row.id] = exc
                span.set_attribute("messaging.batch.message_count", count)
                if len(event_types) == 1:
                    span.set_attribute("cloudevents.event_type", row.event_type)
                if count == 1:
                    span.set_attribute("messaging.kafka.message.key", row.key)
        results = await asyncio.wait_for(
            asyncio.gather(*(future for _, future in pending), return_exceptions=True),
            timeout=30,
        )
        for (row_id, _), result in zip(pending, results, strict=True):
            if isinstance(result, BaseException):
                if is_outage(result):
                    raise result
                refused.setdefault(row_id, result)
        return refused

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = create_producer(self._bootstrap)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _stop_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                await producer.stop()
            except (KafkaError, OSError) as exc:  # already broken; nothing left to flush
                log.debug("producer stop failed: %s", exc)


async def record_backlog(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Set the pending-outbox gauges from the table, for ``/metrics``.

    Cheap while the relay keeps up (a handful of rows; ``created_at`` is indexed) and
    bounded when it does not; an unreachable database leaves the gauges as they were.
    """
    age = func.coalesce(func.extract("epoch", func.now() - func.min(OutboxRecord.created_at)), 0)
    try:
        async with asyncio.timeout(1), sessions() as session:
            pending, oldest = (await session.execute(select(func.count(), age))).one()
            parked = (
                await session.execute(select(func.count()).select_from(ParkedOutboxRecord))
            ).scalar_one()
    except (TimeoutError, OSError, SQLAlchemyError) as exc:
        log.debug("outbox backlog not read: %s", exc)
        return
    OUTBOX_PENDING.set(pending)
    OUTBOX_OLDEST_AGE.set(float(oldest))
    OUTBOX_PARKED.set(parked)


def _trace_headers() -> list[tuple[str, bytes]]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [(k, v.encode()) for k, v in carrier.items()]
