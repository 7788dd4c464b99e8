"""The transactional outbox: events are rows written in the caller's transaction, and a
relay sends them to Kafka afterwards.

A broker outage only delays events: rows stay until Kafka has acknowledged them
(idempotent producer, ``acks=all``), then they are deleted. One relay per database is
active at a time (a PostgreSQL advisory lock), so per-entity order is the commit order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from sqlalchemy import BigInteger, Index, LargeBinary, String, delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from tt.common.db import Base
from tt.common.events import Event
from tt.common.kafka import create_producer, trace_context_from
from tt.common.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, OUTBOX_PENDING, OUTBOX_SENT
from tt.common.topics import Catalogue

log = logging.getLogger("tt.outbox")
tracer = trace.get_tracer("tt.outbox")

NOTIFY_CHANNEL = "tt_outbox"
# Any constant works: it only has to be the same for every relay of one database.
RELAY_LOCK_ID = 7_420_001


class OutboxRecord(Base):
    """An event waiting to be sent; deleted once Kafka acknowledged it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(200))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    traceparent: Mapped[str | None] = mapped_column(String(55))
    tombstone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Outbox:
    """Writes events for one service into its outbox, inside the caller's transaction."""

    def __init__(self, catalogue: Catalogue, source: str) -> None:
        self._catalogue = catalogue
        self.source = source

    async def publish(self, session: AsyncSession, event: Event) -> None:
        """Queue ``event``; it is sent only if the caller's transaction commits."""
        topic = self._catalogue.for_entity(event.entity).name
        session.add(
            OutboxRecord(
                topic=topic,
                key=event.subject,
                event_type=event.type,
                payload=event.to_json(),
                traceparent=event.traceparent,
                tombstone=event.verb == "deleted",
            )
        )
        # NOTIFY is transactional: the relay wakes only when the rows are visible.
        await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))

    async def publish_many(
        self, session: AsyncSession, events: Iterable[Event] | AsyncIterable[Event]
    ) -> int:
        """Queue many events with one ``COPY`` (bulk writes: imports, bulk actions), in the
        caller's transaction like ``publish``; returns how many were queued. ``events`` may
        be a generator, so a large batch is never held in memory at once."""
        # A statement through the session first: it begins the transaction on the driver
        # connection, so the COPY below is part of it (and NOTIFY waits for the commit).
        await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None

        def record(event: Event) -> tuple[Any, ...]:
            topic = self._catalogue.for_entity(event.entity).name
            return (
                topic,
                event.subject,
                event.type,
                event.to_json(),
                event.traceparent,
                event.verb == "deleted",
            )

        async def records() -> AsyncIterator[tuple[Any, ...]]:
            if isinstance(events, AsyncIterable):
                async for event in events:
                    yield record(event)
            else:
                for event in events:
                    yield record(event)

        status = await driver.copy_records_to_table(
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
        poll_interval: float = 1.0,
        max_backoff: float = 15.0,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._bootstrap = bootstrap
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        self._wakeup = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None

    async def run(self) -> None:
        """Run until cancelled: hold the relay lock, then drain the outbox forever. When the
        database goes away (a PostgreSQL restart drops the lock, the LISTEN and every
        pooled connection), start over with backoff instead of ending the worker: rows wait
        in the outbox meanwhile, so nothing is lost."""
        backoff = 0.5
        while True:
            started = asyncio.get_running_loop().time()
            try:
                await self._hold_lock_and_drain()
            except Exception as exc:  # anything else would stop the relay for good
                await self._stop_producer()
                if asyncio.get_running_loop().time() - started > self._max_backoff:
                    backoff = 0.5  # it ran a while: this is a new outage, not the same one
                log.warning("outbox relay lost its database, retrying in %.1fs: %r", backoff, exc)
                await asyncio.sleep(backoff * (0.5 + random.random()))
                backoff = min(backoff * 2, self._max_backoff)

    async def _hold_lock_and_drain(self) -> None:
        async with self._engine.connect() as lock_conn:
            await self._acquire_relay_lock(lock_conn)
            raw = await lock_conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.add_listener(NOTIFY_CHANNEL, self._on_notify)
            try:
                await self._drain_forever()
            finally:
                with contextlib.suppress(Exception):  # the connection may be gone already
                    await driver.remove_listener(NOTIFY_CHANNEL, self._on_notify)
                await self._stop_producer()

    def _on_notify(self, *_: Any) -> None:
        self._wakeup.set()

    async def _acquire_relay_lock(self, conn: Any) -> None:
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
        backoff = 0.5
        while True:
            try:
                sent = await self.drain_once()
                backoff = 0.5
            except (TimeoutError, KafkaError, OSError) as exc:
                log.warning("outbox relay cannot reach Kafka, retrying in %.1fs: %s", backoff, exc)
                await self._stop_producer()
                await asyncio.sleep(backoff * (0.5 + random.random()))
                backoff = min(backoff * 2, self._max_backoff)
                continue
            if sent < self._batch_size:
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self._poll_interval)

    async def drain_once(self) -> int:
        """Send one batch of pending rows; returns how many were sent."""
        async with self._sessions() as session:
            rows = (
                (
                    await session.execute(
                        select(OutboxRecord).order_by(OutboxRecord.id).limit(self._batch_size)
                    )
                )
                .scalars()
                .all()
            )
            OUTBOX_BACKLOG.set(len(rows))
            if not rows:
                return 0
            await self._send(rows)
            await session.execute(
                delete(OutboxRecord).where(OutboxRecord.id.in_([r.id for r in rows]))
            )
            await session.commit()
        OUTBOX_SENT.inc(len(rows))
        return len(rows)

    async def _send(self, rows: Sequence[OutboxRecord]) -> None:
        producer = await self._ensure_producer()
        pending = []
        for row in rows:
            # The produce span continues the trace of the request that wrote the row.
            with tracer.start_as_current_span(
                f"{row.topic} publish",
                context=trace_context_from(row.traceparent),
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": row.topic,
                    "messaging.kafka.message.key": row.key,
                    "cloudevents.event_type": row.event_type,
                },
            ):
                headers = _trace_headers()
                key = row.key.encode()
                pending.append(
                    await producer.send(row.topic, row.payload, key=key, headers=headers)
                )
                if row.tombstone:
                    pending.append(await producer.send(row.topic, None, key=key, headers=headers))
        await asyncio.wait_for(asyncio.gather(*pending), timeout=30)

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
    except (TimeoutError, OSError, SQLAlchemyError) as exc:
        log.debug("outbox backlog not read: %s", exc)
        return
    OUTBOX_PENDING.set(pending)
    OUTBOX_OLDEST_AGE.set(float(oldest))


def _trace_headers() -> list[tuple[str, bytes]]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [(k, v.encode()) for k, v in carrier.items()]
