"""The worker's side of the caches: after a batch of events commits, drop the cached
payloads of the users it changed; retry in the background while Redis is down."""

from __future__ import annotations

import asyncio
import logging
import time

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from tt.common.metrics import DEGRADED
from tt.productivity import cache

log = logging.getLogger("tt.productivity.invalidation")

RETRY_SECONDS = 1.0


class CacheInvalidator:
    """Handlers ``stage`` what they change inside their transaction; ``flush`` (called once
    the batch has committed) drops those caches. Dropping before the commit would let a
    request cache the old state again."""

    def __init__(self, redis: aioredis.Redis, horizon_seconds: float) -> None:
        self._redis = redis
        # A payload is never older than its TTL: a drop still failing after that is moot.
        self._horizon = horizon_seconds
        self._staged_users: set[int] = set()
        self._staged_catalog = False
        self._pending_users: dict[int, float] = {}
        self._pending_catalog: float | None = None

    def user_changed(self, user_id: int) -> None:
        self._staged_users.add(user_id)

    def catalog_changed(self) -> None:
        self._staged_catalog = True

    async def flush(self) -> None:
        """Called after a batch committed: its staged changes become pending, then dropped."""
        now = time.monotonic()
        for uid in self._staged_users:
            self._pending_users.setdefault(uid, now)
        if self._staged_catalog and self._pending_catalog is None:
            self._pending_catalog = now
        self._staged_users.clear()
        self._staged_catalog = False
        await self._drop_pending()

    async def _drop_pending(self) -> None:
        if not self._pending_users and self._pending_catalog is None:
            return
        users = list(self._pending_users)
        catalog = self._pending_catalog is not None
        try:
            await cache.drop(self._redis, users, catalog)
        except (RedisError, OSError) as exc:
            DEGRADED.labels("redis", "invalidation_deferred").inc()
            log.warning("redis unavailable; dropping %d cached stats later: %s", len(users), exc)
            self._expire_pending()
            return
        for uid in users:
            self._pending_users.pop(uid, None)
        if catalog:
            self._pending_catalog = None

    def _expire_pending(self) -> None:
        oldest = time.monotonic() - self._horizon
        self._pending_users = {u: t for u, t in self._pending_users.items() if t >= oldest}
        if self._pending_catalog is not None and self._pending_catalog < oldest:
            self._pending_catalog = None

    async def run(self) -> None:
        """Retry pending drops until they succeed (runs beside the consumer)."""
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            await self._drop_pending()
