"""The set-based consumer: a batch gives the read model that its events applied one by one
give, and a poison event inside a batch goes to the DLQ while the rest is applied.

Each test runs the real consumer runner and projector on scratch databases of the test
platform (its PostgreSQL, its Kafka for the DLQ), fed with real Kafka records built in
the test, so one process can apply the same 10,000 events both ways.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiokafka.structs import ConsumerRecord
from prodkit import client_state, entry_state, event, new_id, project_state, user_state
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from support.kafka import fetch_events, get_end_offsets
from support.platform import PlatformInfo
from support.widgets import scratch_database
from tt.common.consumer import ConsumerRunner
from tt.common.db import create_session_factory
from tt.common.events import Event
from tt.common.topics import load_catalogue
from tt.productivity.invalidation import CacheInvalidator
from tt.productivity.readmodel.models import (
    ClientRecord,
    EntryRecord,
    ProjectRecord,
    UserDay,
    UserRateGroup,
    UserRecord,
)
from tt.productivity.readmodel.projector import Projector

READ_MODEL = [
    UserRecord.__table__,
    ClientRecord.__table__,
    ProjectRecord.__table__,
    EntryRecord.__table__,
    UserDay.__table__,
    UserRateGroup.__table__,
]
# Every table the consumer writes, with the order that makes a dump comparable.
TABLES = {
    "users": "id",
    "clients": "id",
    "projects": "id",
    "time_entries": "id",
    "user_days": "user_id, day",
    "user_rate_groups": "user_id, project_id, client_id",
    "consumed_versions": "entity, entity_id",
}
# The suite applies 3,000 events both ways (one by one is a transaction each, minutes for
# 10,000 on this machine); TT_BATCH_TEST_EVENTS=10000 runs the full-size check.
EVENTS = int(os.environ.get("TT_BATCH_TEST_EVENTS", "3000"))
CATALOGUE = load_catalogue(str(Path(__file__).resolve().parents[2] / "deploy/kafka/topics.yaml"))
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Pacific/Tongatapu", "Asia/Kolkata"]


class ReadModel:
    """One scratch read-model database and a consumer runner writing to it."""

    def __init__(self, engine: AsyncEngine, platform: PlatformInfo) -> None:
        self.engine = engine
        self.redis = aioredis.Redis.from_url(platform.redis_url)
        projector = Projector(CacheInvalidator(self.redis, horizon_seconds=60))
        self.runner = ConsumerRunner(
            group_id=f"tt-test-batches-{new_id()}",
            bootstrap=platform.kafka_bootstrap,
            catalogue=CATALOGUE,
            sessions=create_session_factory(engine),
            entities=["user", "client", "project", "time_entry"],
            handlers=projector.handlers,
        )

    async def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        async with self.engine.connect() as conn:
            return {
                table: [
                    tuple(row)
                    for row in await conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))  # noqa: S608
                ]
                for table, order in TABLES.items()
            }


@asynccontextmanager
async def read_model(platform: PlatformInfo) -> AsyncIterator[ReadModel]:
    pg = platform.doc["postgres"]
    async with scratch_database(
        pg["host"], pg["port"], platform.secrets["pg_superuser_password"], READ_MODEL
    ) as url:
        engine = create_async_engine(url, pool_size=2)
        model = ReadModel(engine, platform)
        try:
            yield model
        finally:
            await model.runner._stop()
            await model.redis.aclose()
            await engine.dispose()


def records(events: Sequence[Event]) -> list[ConsumerRecord[bytes, bytes]]:
    """The Kafka records the runner would fetch for ``events`` (offsets in list order)."""
    out = []
    for offset, e in enumerate(events):
        value = e.to_json()
        out.append(
            ConsumerRecord(
                topic=CATALOGUE.for_entity(e.entity).name,
                partition=0,
                offset=offset,
                timestamp=0,
                timestamp_type=0,
                key=e.subject.encode(),
                value=value,
                checksum=None,
                serialized_key_size=len(e.subject),
                serialized_value_size=len(value),
                headers=[],
            )
        )
    return out


def interleave(rng: random.Random, streams: list[list[Event]]) -> list[Event]:
    """Merge per-entity streams at random, keeping each stream's own order."""
    out: list[Event] = []
    live = [list(reversed(s)) for s in streams if s]
    while live:
        stream = rng.choice(live)
        out.append(stream.pop())
        if not stream:
            live.remove(stream)
    return out


def mixed_events(rng: random.Random) -> tuple[list[Event], dict[int, int | None]]:
    """Creates, updates, deletes, replays of older versions and duplicates of entries;
    users (one changing timezone mid-batch, one arriving after its entries); projects
    and clients. Returns the events and, per entry, the seconds its last state counts."""
    users = [new_id() for _ in range(8)]
    projects = [new_id() for _ in range(6)]
    clients = [new_id() for _ in range(3)]
    base = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)  # a DST weekend in Europe
    streams: list[list[Event]] = []
    for n, uid in enumerate(users[:-1]):
        stream = [event("user", "created", uid, 1, user_state(uid, ZONES[n % len(ZONES)]))]
        if n == 2:  # the timezone change, between this user's entries
            stream.append(event("user", "updated", uid, 2, user_state(uid, "Pacific/Honolulu")))
        streams.append(stream)
    for cid in clients:
        streams.append([event("client", "created", cid, 1, client_state(cid, f"C{cid}"))])
    for pid in projects:
        state = project_state(pid, f"P{pid}", client_id=rng.choice(clients), hourly_rate=80)
        renamed = {**state, "name": f"P{pid} renamed"}
        streams.append(
            [
                event("project", "created", pid, 1, state),
                event("project", "updated", pid, 2, renamed),
                event("project", "created", pid, 1, state),  # a replay: ignored
            ]
        )
    final: dict[int, int | None] = {}
    total = sum(len(s) for s in streams)
    while total < EVENTS:
        eid, uid = new_id(), rng.choice(users)
        stream: list[Event] = []
        version = 0
        for _ in range(rng.choice([1, 1, 2, 3, 4])):
            version += 1
            start = base + timedelta(minutes=rng.randrange(-5 * 24 * 60, 5 * 24 * 60))
            end = None if rng.random() < 0.1 else start + timedelta(minutes=rng.randrange(0, 600))
            state = entry_state(
                eid,
                uid,
                start,
                end,
                project_id=rng.choice([None, *projects]),
                client_id=rng.choice([None, *clients]),
                billable=rng.random() < 0.7,
            )
            verb = "created" if version == 1 else "updated"
            stream.append(event("time_entry", verb, eid, version, state))
            final[eid] = state["duration_seconds"]
        if version > 1 and rng.random() < 0.3:
            stream.append(
                event("time_entry", "deleted", eid, version + 1, stream[-1].data["time_entry"])
            )
            final.pop(eid)
        if version > 1 and rng.random() < 0.3:
            stream.insert(rng.randrange(1, len(stream) + 1), stream[0])  # an older version again
        if rng.random() < 0.05:
            stream.append(stream[-1])  # a duplicate delivery
        streams.append(stream)
        total += len(stream)
    # The last user arrives after (most of) their entries: their days move to their zone.
    late = users[-1]
    streams.append([event("user", "created", late, 1, user_state(late, "Asia/Tokyo"))])
    merged = interleave(rng, streams)
    late_event = next(
        i for i, e in enumerate(merged) if e.entity == "user" and e.subject == str(late)
    )
    merged.append(merged.pop(late_event))
    return merged, final


@pytest.mark.timeout(900)
async def test_a_batch_equals_its_events_applied_one_by_one(
    platform: PlatformInfo, caplog: pytest.LogCaptureFixture
) -> None:
    events, final = mixed_events(random.Random(17))
    assert len(events) >= EVENTS
    batch = records(events)
    async with read_model(platform) as at_once, read_model(platform) as one_by_one:
        with caplog.at_level(logging.INFO, logger="tt.consumer"):
            await at_once.runner.process_batch(batch)
        assert not [r for r in caplog.records if "one by one" in r.getMessage()], (
            "the batch fell back to one by one"
        )
        for record in batch:
            await one_by_one.runner.process_batch([record])
        batched, single = await at_once.dump(), await one_by_one.dump()
    for table in TABLES:
        assert batched[table] == single[table], f"{table} differs"
    # And both are right, not merely alike: the entries left, and what the days sum up.
    entries = batched["time_entries"]
    assert {row[0] for row in entries} == set(final)
    assert sum(row[2] for row in batched["user_days"]) == sum(s for s in final.values() if s)
    assert sum(row[4] for row in batched["user_days"]) == sum(
        1 for s in final.values() if s is not None
    )
    assert sum(row[3] for row in batched["user_rate_groups"]) == sum(s for s in final.values() if s)


async def test_a_poison_event_inside_a_batch_goes_to_the_dlq_and_the_rest_is_applied(
    platform: PlatformInfo,
) -> None:
    uid, poison = new_id(), new_id()
    start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    good = [new_id() for _ in range(199)]
    events = [
        event(
            "time_entry",
            "created",
            eid,
            1,
            entry_state(eid, uid, start, start + timedelta(hours=1)),
        )
        for eid in good
    ]
    broken = entry_state(poison, uid, start, start + timedelta(hours=1))
    broken["start_time"] = "not a time"
    events.insert(100, event("time_entry", "created", poison, 1, broken))
    since = await get_end_offsets(platform.kafka_bootstrap, "tt.time.entries.dlq")
    async with read_model(platform) as model:
        await model.runner.process_batch(records(events))
        tables = await model.dump()
    assert {row[0] for row in tables["time_entries"]} == set(good)
    assert tables["user_days"] == [(uid, start.date(), 199 * 3600, 199 * 3600, 199)]
    assert ("time_entry", str(poison)) not in {(r[0], r[1]) for r in tables["consumed_versions"]}
    dead = await fetch_events(
        platform.kafka_bootstrap,
        "tt.time.entries.dlq",
        since=since,
        raw=True,
        until=lambda found: any(e.subject == str(poison) for e in found),
        timeout=20,
    )
    errors = [
        dict(headers).get("x-tt-error", b"").decode()
        for key, _, headers in dead
        if key == str(poison).encode()
    ]
    assert errors
    assert "not a time" in errors[0]
