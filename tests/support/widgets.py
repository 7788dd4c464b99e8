"""A minimal service built only from ``tt.common``: widgets written with the outbox, relayed
to Kafka, consumed into ``widget_applied``. The platform tests and ``bench/outbox.py`` use it
to exercise the outbox, the relay and the consumer runner against the real servers."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import datetime
from pathlib import Path

import asyncpg
from sqlalchemy import BigInteger, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import Mapped, mapped_column

from tt.common.consumer import ConsumedVersion, ConsumerRunner, one_at_a_time
from tt.common.db import PlatformBase, create_session_factory, unit_of_work
from tt.common.events import Event, make_event
from tt.common.kafka import ensure_topics
from tt.common.outbox import Outbox, OutboxRecord, OutboxRelay
from tt.common.topics import load_catalogue

TOPICS_FILE = str(Path(__file__).resolve().parents[1] / "platform" / "topics.yaml")
TOPIC = "tt.test.widgets"


class WidgetApplied(PlatformBase):
    """One row per event a consumer applied: duplicates would show as extra rows."""

    __tablename__ = "widget_applied"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    widget_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(String(64))
    committed_at: Mapped[float] = mapped_column()
    applied_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PoisonWidget(Exception):
    """The handler's deliberate failure, to prove dead-lettering."""


async def apply_widget(session: AsyncSession, event: Event) -> None:
    if event.state.get("explode"):
        raise PoisonWidget(f"widget {event.subject} cannot be applied")
    session.add(
        WidgetApplied(
            widget_id=event.subject,
            version=event.version,
            event_id=event.id,
            committed_at=float(event.state.get("committed_at", 0)),
        )
    )


def widget_event(widget_id: str, version: int, **state: object) -> Event:
    return make_event(
        source="/tt/test",
        entity="widget",
        verb="updated",
        entity_id=widget_id,
        version=version,
        state={"id": widget_id, **state},
    )


@asynccontextmanager
async def scratch_database(
    host: str, port: int, password: str, tables: Sequence[Table] | None = None
) -> AsyncIterator[str]:
    """A fresh database with the platform tables and ``tables`` (``widget_applied`` by
    default); dropped afterwards."""
    name = f"tt_scratch_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(
        host=host, port=port, user="postgres", password=password, database="postgres"
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = f"postgresql+asyncpg://postgres:{password}@{host}:{port}/{name}"
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(
            PlatformBase.metadata.create_all,
            tables=[
                OutboxRecord.__table__,
                ConsumedVersion.__table__,
                *(tables if tables is not None else [WidgetApplied.__table__]),
            ],
        )
    await engine.dispose()
    try:
        yield url
    finally:
        admin = await asyncpg.connect(
            host=host, port=port, user="postgres", password=password, database="postgres"
        )
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


class WidgetService:
    """Outbox writer + relay + consumer over one scratch database."""

    def __init__(self, database_url: str, bootstrap: str) -> None:
        self.engine = create_async_engine(database_url, pool_size=10)
        self.sessions = create_session_factory(self.engine)
        self.catalogue = load_catalogue(TOPICS_FILE)
        self.outbox = Outbox(self.catalogue, source="/tt/test")
        self.bootstrap = bootstrap
        self.group_id = f"tt-test-{uuid.uuid4().hex[:8]}"
        self.relay = OutboxRelay(self.engine, self.sessions, bootstrap)
        self.consumer = ConsumerRunner(
            group_id=self.group_id,
            bootstrap=bootstrap,
            catalogue=self.catalogue,
            sessions=self.sessions,
            entities=["widget"],
            handlers={"tt.widget.*": one_at_a_time(apply_widget)},
        )
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await ensure_topics(self.bootstrap, self.catalogue.all_specs())
        self._tasks = [
            asyncio.create_task(self.relay.run()),
            asyncio.create_task(self.consumer.run()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await task
        await self.engine.dispose()

    async def write(
        self, widget_id: str, version: int, *, rollback: bool = False, **state: object
    ) -> Event:
        """Publish one widget event in a transaction (rolled back if asked)."""
        event = widget_event(widget_id, version, committed_at=time.time(), **state)
        if rollback:
            async with self.sessions() as session:
                await session.begin()
                await self.outbox.publish(session, event)
                await session.rollback()
            return event
        async with unit_of_work(self.sessions) as session:
            await self.outbox.publish(session, event)
        return event

    async def applied(self, widget_ids: list[str]) -> list[WidgetApplied]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(WidgetApplied)
                .where(WidgetApplied.widget_id.in_(widget_ids))
                .order_by(WidgetApplied.id)
            )
            return list(rows.scalars())

    async def pending_outbox(self) -> int:
        async with self.sessions() as session:
            return int(
                (await session.execute(select(func.count()).select_from(OutboxRecord))).scalar_one()
            )


async def wait_for(probe, *, timeout: float = 30.0, interval: float = 0.05, what: str = ""):  # type: ignore[no-untyped-def]
    """Await ``probe()`` until truthy (async twin of ``support.api.wait_until``)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
