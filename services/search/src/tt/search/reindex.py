"""Rebuild the whole index from the compacted topics (``python -m tt.search.worker
--reindex``, which ``./dev reindex search`` runs).

It runs in one transaction: readers keep seeing the old index until the new one
commits, so search never answers from a half-built index. The transaction first locks
the index tables against writers (readers are not blocked), in the order the live
indexer writes them, so a worker running meanwhile just waits, then resumes from its
own offsets: what it reads again is either in the rebuild already or newer, and the
version ledger, rebuilt too, turns the replays into no-ops.

The rules are the live indexer's (a version applies only if newer than the entity's
last; an event whose state is unusable is skipped, as the live indexer dead-letters
it), applied in bulk: the ledger is kept in memory while the topics are read, and
rows are written a batch at a time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from sqlalchemy import delete, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.consumer import ConsumedVersion
from tt.common.contracts import InvalidEventState
from tt.common.db import unit_of_work
from tt.common.events import MalformedEvent, parse_event
from tt.common.kafka import client_options
from tt.common.resources import Resources
from tt.search.documents.indexing import KIND_OF_ENTITY, Document
from tt.search.documents.repository import (
    remove_all_documents,
    remove_documents,
    save_documents,
)
from tt.search.events import ENTITIES, document_change

log = logging.getLogger("tt.search.reindex")

BATCH = 2000
Key = tuple[str, str]  # (entity, entity id) as the version ledger keys it


@dataclass
class RebuildSummary:
    records: int = 0
    applied: int = 0
    stale: int = 0
    skipped: int = 0
    seconds: float = 0.0


async def rebuild_index(resources: Resources) -> RebuildSummary:
    """Replace the index by what the topics hold now; returns what was done."""
    started = time.monotonic()
    summary = RebuildSummary()
    # Subscribed without a group: every partition of the topics is assigned to it.
    consumer = AIOKafkaConsumer(
        *(resources.catalogue.for_entity(entity).name for entity in ENTITIES),
        bootstrap_servers=resources.settings.kafka_bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        **client_options(),
    )
    await consumer.start()
    try:
        partitions = sorted(consumer.assignment())
        async with unit_of_work(resources.sessions) as session:
            await session.execute(
                text("LOCK TABLE consumed_versions, search_documents IN EXCLUSIVE MODE")
            )
            ends = await consumer.end_offsets(partitions)
            await consumer.seek_to_beginning(*partitions)
            await remove_all_documents(session)
            await session.execute(
                delete(ConsumedVersion).where(ConsumedVersion.entity.in_(ENTITIES))
            )
            versions: dict[Key, int] = {}
            pending = {tp for tp in partitions if ends[tp] > 0}
            while pending:
                batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=BATCH)
                records = [r for tp, rs in batch.items() for r in rs if r.offset < ends[tp]]
                await _apply(session, records, versions, summary)
                for tp in list(pending):
                    if await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
            await _write_ledger(session, versions)
    finally:
        await consumer.stop()
    summary.seconds = round(time.monotonic() - started, 2)
    log.info("index rebuilt from the topics", extra={"summary": summary.__dict__})
    return summary


async def _apply(
    session: AsyncSession,
    records: Sequence[ConsumerRecord[Any, Any]],
    versions: dict[Key, int],
    summary: RebuildSummary,
) -> None:
    summary.records += len(records)
    changes: dict[Key, Document | tuple[str, int]] = {}
    for record in records:
        if record.value is None:  # tombstone
            continue
        try:
            event = parse_event(record.value)
            if event.entity not in KIND_OF_ENTITY:
                continue
            key = (event.entity, event.subject)
            if event.version <= versions.get(key, 0):
                summary.stale += 1
                continue
            change = document_change(event)
        except (MalformedEvent, InvalidEventState) as exc:
            log.warning("skipped a record of %s at %s: %s", record.topic, record.offset, exc)
            summary.skipped += 1
            continue
        versions[key] = event.version
        changes[key] = change
        summary.applied += 1
    await remove_documents(session, [c for c in changes.values() if not isinstance(c, Document)])
    await save_documents(session, [c for c in changes.values() if isinstance(c, Document)])


async def _write_ledger(session: AsyncSession, versions: dict[Key, int]) -> None:
    rows = [{"entity": e, "entity_id": i, "version": v} for (e, i), v in versions.items()]
    for start in range(0, len(rows), BATCH):
        await session.execute(insert(ConsumedVersion), rows[start : start + BATCH])
