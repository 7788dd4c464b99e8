"""Rebuild the whole index from the compacted topics (``python -m tt.search.worker --reindex``).

It runs in one transaction: readers keep seeing the old index until the new one
commits, so search never answers from a half-built index. The transaction starts by
locking the index tables against writers (readers are not blocked), in the order the
live indexer writes them, so a worker running meanwhile simply waits and then resumes
from its own offsets: its events are either already in the rebuild or newer than it,
and the version ledger, rebuilt too, makes the replays harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.consumer import (
    ConsumedVersion,
    ConsumerRunner,
    Handler,
    claim_version,
    is_transient,
)
from tt.common.db import unit_of_work
from tt.common.events import Event, MalformedEvent, parse_event
from tt.common.resources import Resources
from tt.search.documents.repository import remove_all_documents
from tt.search.events import ENTITIES

log = logging.getLogger("tt.search.reindex")


@dataclass
class RebuildSummary:
    records: int = 0
    applied: int = 0
    stale: int = 0
    skipped: int = 0
    seconds: float = 0.0


async def rebuild_index(resources: Resources, runner: ConsumerRunner) -> RebuildSummary:
    """Replace the index by what the topics hold now; returns what was done."""
    started = time.monotonic()
    summary = RebuildSummary()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=resources.settings.kafka_bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        await consumer.topics()  # loads the metadata partitions_for_topic reads
        partitions = [
            TopicPartition(topic, p)
            for topic in runner.topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        async with unit_of_work(resources.sessions) as session:
            await session.execute(
                text("LOCK TABLE consumed_versions, search_documents IN EXCLUSIVE MODE")
            )
            ends = await consumer.end_offsets(partitions)
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            await remove_all_documents(session)
            await session.execute(
                delete(ConsumedVersion).where(ConsumedVersion.entity.in_(ENTITIES))
            )
            pending = {tp for tp in partitions if ends[tp] > 0}
            while pending:
                batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=1000)
                for tp, records in batch.items():
                    wanted = [r for r in records if r.offset < ends[tp]]
                    await _apply(session, runner, wanted, summary)
                for tp in list(pending):
                    if await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
    finally:
        await consumer.stop()
    summary.seconds = round(time.monotonic() - started, 2)
    log.info("index rebuilt from the topics", extra={"summary": summary.__dict__})
    return summary


async def _apply(
    session: AsyncSession,
    runner: ConsumerRunner,
    records: Sequence[ConsumerRecord[Any, Any]],
    summary: RebuildSummary,
) -> None:
    """Apply records like the live indexer does, a batch under one savepoint; if one
    fails, the batch is redone one by one and the failing event skipped (the live
    indexer sent it to the dead-letter topic already)."""
    summary.records += len(records)
    events: list[tuple[Event, Handler]] = []
    for record in records:
        if record.value is None:  # tombstone
            continue
        try:
            event = parse_event(record.value)
        except MalformedEvent:
            summary.skipped += 1
            continue
        handler = runner.handler_for(event.type)
        if handler is not None:
            events.append((event, handler))
    try:
        async with session.begin_nested():
            outcomes = [await _apply_one(session, event, handler) for event, handler in events]
    except Exception as exc:
        if is_transient(exc):
            raise
        outcomes = []
        for event, handler in events:
            try:
                async with session.begin_nested():
                    outcomes.append(await _apply_one(session, event, handler))
            except Exception as exc:
                if is_transient(exc):
                    raise
                log.warning("skipped event %s (%s): %s", event.id, event.type, exc)
                summary.skipped += 1
    summary.applied += outcomes.count(True)
    summary.stale += outcomes.count(False)


async def _apply_one(session: AsyncSession, event: Event, handler: Handler) -> bool:
    if not await claim_version(session, event):
        return False
    await handler(session, event)
    return True
