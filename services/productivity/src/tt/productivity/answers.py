"""An analytics answer as JSON bytes: from the caches while fresh, else computed from the
read model in one read-only snapshot, and stored when it may be.

The routes send these bytes as they are: a cached answer is never decoded again."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tt.common.db import unit_of_work
from tt.common.identity import Identity
from tt.common.responses import json_default
from tt.productivity.runtime import Runtime
from tt.productivity.viewer import Viewer, viewer_for

JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS
# One snapshot for every query of an answer: the worker commits between them otherwise,
# and the day totals would disagree with the entries read a moment later.
SNAPSHOT = text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

# HIT: from Redis; MISS: computed and stored; BYPASS: computed, not stored (a timer runs,
# or Redis is down).
CacheStatus = Literal["HIT", "MISS", "BYPASS"]


@dataclass(frozen=True, slots=True)
class Computed:
    """A payload computed from the read model, and whether it may be cached."""

    payload: dict[str, Any]
    cacheable: bool


@dataclass(frozen=True, slots=True)
class Answer:
    """The JSON an answer sends, and where it came from (its ``X-Cache`` header)."""

    body: bytes
    cache_status: CacheStatus


Compute = Callable[[AsyncSession, Viewer], Awaitable[Computed]]


@asynccontextmanager
async def read_snapshot(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A read-only transaction whose queries all see the same committed state."""
    async with unit_of_work(sessions) as session:
        await session.execute(SNAPSHOT)
        yield session


def encode(payload: dict[str, Any]) -> bytes:
    return orjson.dumps(payload, option=JSON_OPTIONS, default=json_default)


async def cached_answer(
    rt: Runtime,
    identity: Identity,
    *,
    kind: str,
    variant: str,
    ttl: int,
    compute: Compute,
) -> Answer:
    """The caller's payload of ``kind`` and ``variant`` from Redis if fresh (``HIT``), else
    computed, and stored when it may be (``MISS``; ``BYPASS`` when it may not).

    The database session is opened only on a miss: a hit is one Redis round trip."""
    found = await rt.cache.lookup(kind, identity.user_id, variant, ttl)
    if found.body is not None:
        return Answer(found.body, "HIT")
    async with read_snapshot(rt.sessions) as session:
        viewer = await viewer_for(session, identity.user_id, identity.timezone)
        computed = await compute(session, viewer)
    body = encode(computed.payload)
    if not computed.cacheable or found.stamp is None:  # a timer runs, or Redis is down
        return Answer(body, "BYPASS")
    await rt.cache.store(kind, identity.user_id, variant, body, found.stamp, ttl)
    return Answer(body, "MISS")
