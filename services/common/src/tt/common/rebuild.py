"""Rebuild a read model from the compacted topics (``python -m tt.<service>.worker
--reindex``, which ``./dev reindex <service>`` runs).

It runs in one transaction: readers keep seeing the old model until the new one commits,
so nobody reads a half-built one. The transaction first locks the version ledger, then
the model's tables, against writers (readers are not blocked); the live consumer claims
versions first in each of its transactions, so a worker running meanwhile just waits,
then resumes from its own offsets: what it reads again is in the rebuild already or
newer, and the version ledger, rebuilt too, turns the replays into no-ops.

The rules are the live consumer's: a version applies only if newer than the entity's
last, and the service's own batch handlers apply the events. An event they reject is
skipped and counted (the live consumer sent it to the dead-letter topic). Topics are read
one entity after the other, in the order given (users before their entries, say).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import delete, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.consumer import ConsumedVersion, Handler, HandlerTable, is_transient
from tt.common.db import unit_of_work
from tt.common.events import Event, MalformedEvent, parse_event
from tt.common.kafka import MAX_BATCH, client_options
from tt.common.resources import Resources

log = logging.getLogger("tt.common.rebuild")

Key = tuple[str, str]  # (entity, entity id) as the version ledger keys it


@dataclass
class RebuildSummary:
    records: int = 0
    applied: int = 0
    stale: int = 0
    skipped: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class ReadModel:
    """What a rebuild replaces: the entities whose topics feed the model (in the order to
    read them), its batch handlers, its tables (locked in this order) and how to empty
    them inside the rebuild's transaction."""

    entities: Sequence[str]
    handlers: Mapping[str, Handler]
    tables: Sequence[str]
    clear: Callable[[AsyncSession], Awaitable[None]]


async def rebuild(resources: Resources, model: ReadModel) -> RebuildSummary:
    """Replace the read model by what the topics hold now; returns what was done."""
    started = time.monotonic()
    summary = RebuildSummary()
    topics = [resources.catalogue.for_entity(entity).name for entity in model.entities]
    # Subscribed without a group: every partition of the topics is assigned to it.
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=resources.settings.kafka_bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=MAX_BATCH,
        **client_options(),
    )
    await consumer.start()
    try:
        partitions = sorted(consumer.assignment())
        async with unit_of_work(resources.sessions) as session:
            tables = ", ".join(["consumed_versions", *model.tables])
            await session.execute(text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))
            ends = await consumer.end_offsets(partitions)
            await consumer.seek_to_beginning(*partitions)
            await model.clear(session)
            await session.execute(
                delete(ConsumedVersion).where(ConsumedVersion.entity.in_(model.entities))
            )
            replay = _Replay(session, HandlerTable(model.handlers), summary)
            for topic in topics:
                ending = {tp: ends[tp] for tp in partitions if tp.topic == topic}
                await replay.topic(consumer, ending)
            await replay.write_ledger()
    finally:
        await consumer.stop()
    summary.seconds = round(time.monotonic() - started, 2)
    log.info("read model rebuilt from the topics", extra={"summary": summary.__dict__})
    return summary


class _Replay:
    def __init__(self, session: AsyncSession, handlers: HandlerTable, summary: RebuildSummary):
        self.session = session
        self.handlers = handlers
        self.summary = summary
        self.versions: dict[Key, int] = {}

    async def topic(self, consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> None:
        """Apply one topic's records up to ``ends`` (its partitions' end offsets)."""
        pending = {tp for tp, end in ends.items() if end > 0}
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=MAX_BATCH)
            await self.apply([r for tp, rs in batch.items() for r in rs if r.offset < ends[tp]])
            for tp in list(pending):
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)

    async def apply(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        self.summary.records += len(records)
        fresh: list[tuple[Event, Handler]] = []
        for record in records:
            item = self._fresh(record)
            if item is not None:
                fresh.append(item)
        if not fresh:
            return
        try:
            await self._in_savepoint(fresh)
        except Exception as exc:
            if is_transient(exc):
                raise
            await self._one_by_one(fresh)
        else:
            self.summary.applied += len(fresh)

    async def _one_by_one(self, items: Sequence[tuple[Event, Handler]]) -> None:
        """Apply each event in a savepoint of its own, skipping those the handlers reject."""
        for item in items:
            try:
                await self._in_savepoint([item])
            except Exception as exc:
                if is_transient(exc):
                    raise
                log.warning("skipped %s %s: %s", item[0].type, item[0].subject, exc)
                self.summary.skipped += 1
            else:
                self.summary.applied += 1

    def _fresh(self, record: ConsumerRecord[Any, Any]) -> tuple[Event, Handler] | None:
        if record.value is None:  # tombstone
            return None
        try:
            event = parse_event(record.value)
        except MalformedEvent as exc:
            log.warning("skipped a record of %s at %s: %s", record.topic, record.offset, exc)
            self.summary.skipped += 1
            return None
        handler = self.handlers.get(event.type)
        if handler is None:
            return None
        key = (event.entity, event.subject)
        if event.version <= self.versions.get(key, 0):
            self.summary.stale += 1
            return None
        self.versions[key] = event.version
        return event, handler

    async def _in_savepoint(self, items: Sequence[tuple[Event, Handler]]) -> None:
        """Apply ``items`` in a savepoint. When it rolls back, what handlers remembered for
        the transaction in ``session.info`` goes too: it may name rows the savepoint took
        back (productivity's locked zones name the user placeholders it inserted)."""
        try:
            async with self.session.begin_nested():
                for handler, run in groupby(items, key=lambda item: item[1]):
                    await handler(self.session, [event for event, _ in run])
        except Exception:
            self.session.info.clear()
            raise

    async def write_ledger(self) -> None:
        rows = [{"entity": e, "entity_id": i, "version": v} for (e, i), v in self.versions.items()]
        for start in range(0, len(rows), MAX_BATCH):
            await self.session.execute(insert(ConsumedVersion), rows[start : start + MAX_BATCH])
