"""The analytics caches in Redis, shared by the API (read, store) and the worker (drop).

A cached payload carries the generations it was computed at: the user's (bumped by the
worker after each committed change to their entries or timezone) and the catalogue's
(bumped after project and client changes). A payload whose generations are not the
current ones is stale, which also covers a request that read the database just before a
change committed and stored its answer just after the worker dropped the cache.
Redis being down never fails a request: the cache is bypassed, logged and counted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from tt.common.metrics import DEGRADED

log = logging.getLogger("tt.productivity.cache")

PREFIX = "productivity"
CATALOG_GENERATION = f"{PREFIX}:gen:catalog"
# Generations outlive every cached payload, so a lost generation cannot revive one.
GENERATION_TTL_SECONDS = 24 * 3600

STATS = "stats"
VALUE = "value"
DASHBOARD = "dashboard"  # the dashboard's stats and sparklines (one variant each)
KINDS = (STATS, VALUE, DASHBOARD)
FORECAST = "forecast"  # per project, not per user: see AnalyticsCache.lookup_project


def payload_key(kind: str, user_id: int) -> str:
    """A hash per user and kind; one field per variant (the stats' period)."""
    return f"{PREFIX}:{kind}:{user_id}"


def user_generation_key(user_id: int) -> str:
    return f"{PREFIX}:gen:user:{user_id}"


def project_key(kind: str, project_id: int) -> str:
    """A hash per project and kind; one field per variant (the caller's timezone)."""
    return f"{PREFIX}:{kind}:project:{project_id}"


def degraded(action: str, exc: Exception) -> None:
    DEGRADED.labels("redis", "cache_bypassed").inc()
    log.warning("redis unavailable (%s); cache bypassed: %s", action, exc)


@dataclass(frozen=True, slots=True)
class Lookup:
    """A cache read: the payload's JSON if fresh, and the generations to store under
    (None when Redis could not be read, so nothing is stored)."""

    body: bytes | None
    stamp: bytes | None


class AnalyticsCache:
    """Reads and stores payloads; one Redis round trip each."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def lookup(self, kind: str, user_id: int, variant: str, ttl: int) -> Lookup:
        """A user's payload, stale once their entries or the catalogue changed."""
        return await self._lookup(
            payload_key(kind, user_id),
            (user_generation_key(user_id), CATALOG_GENERATION),
            variant,
            ttl,
        )

    async def lookup_project(self, kind: str, project_id: int, variant: str, ttl: int) -> Lookup:
        """A project's payload, shared by every user who may see it: stale once the
        catalogue changed; its users' new entries show after ``ttl`` (or a ``drop_project``)."""
        return await self._lookup(
            project_key(kind, project_id), (CATALOG_GENERATION,), variant, ttl
        )

    async def _lookup(
        self, key: str, generation_keys: tuple[str, ...], variant: str, ttl: int
    ) -> Lookup:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.hget(key, variant)
                pipe.mget(*generation_keys)
                raw, generations = await pipe.execute()
        except (RedisError, OSError) as exc:
            degraded("read", exc)
            return Lookup(None, None)
        stamp = b":".join(g or b"0" for g in generations)
        if raw:
            header, _, body = raw.partition(b"\n")
            cached_stamp, _, stored_at = header.rpartition(b":")
            if cached_stamp == stamp and time.time() - float(stored_at) < ttl:
                return Lookup(body, stamp)
        return Lookup(None, stamp)

    async def store(
        self, kind: str, user_id: int, variant: str, body: bytes, stamp: bytes | None, ttl: int
    ) -> None:
        await self._store(payload_key(kind, user_id), variant, body, stamp, ttl)

    async def store_project(
        self, kind: str, project_id: int, variant: str, body: bytes, stamp: bytes | None, ttl: int
    ) -> None:
        await self._store(project_key(kind, project_id), variant, body, stamp, ttl)

    async def drop_project(self, kind: str, project_id: int) -> None:
        """Forget a project's payloads (every variant); Redis down is logged, not raised."""
        try:
            await self._redis.delete(project_key(kind, project_id))
        except (RedisError, OSError) as exc:
            degraded("drop", exc)

    async def _store(
        self, key: str, variant: str, body: bytes, stamp: bytes | None, ttl: int
    ) -> None:
        if stamp is None or ttl <= 0:
            return
        value = b"%s:%.3f\n%s" % (stamp, time.time(), body)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.hset(key, variant, value)
                pipe.expire(key, ttl)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            degraded("write", exc)


async def drop(redis: aioredis.Redis, user_ids: Iterable[int], catalog: bool) -> None:
    """Make the given users' (and, with ``catalog``, everyone's) payloads stale and drop
    them. Raises RedisError when Redis is down (the caller retries)."""
    async with redis.pipeline(transaction=False) as pipe:
        for uid in user_ids:
            pipe.incr(user_generation_key(uid))
            pipe.expire(user_generation_key(uid), GENERATION_TTL_SECONDS)
            pipe.delete(*(payload_key(kind, uid) for kind in KINDS))
        if catalog:
            pipe.incr(CATALOG_GENERATION)
            pipe.expire(CATALOG_GENERATION, GENERATION_TTL_SECONDS)
        await pipe.execute()
