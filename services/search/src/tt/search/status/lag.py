"""The indexer's lag, from the worker to ``GET /internal/lag`` of the API process.

The consumer runner knows, per partition it owns, how many records it is behind
(``ConsumerRunner.lag``). Each worker writes that into one Redis hash, a field per
partition stamped with the time of the report, every ``lag_report_seconds``; the API
sums the fresh fields. A worker that stopped reporting ages out instead of showing a
lag that stays at its last value forever.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from redis.typing import EncodableT

from tt.common.consumer import ConsumerRunner

log = logging.getLogger("tt.search.lag")

LAG_KEY = "tt:search:lag"
# Reports older than this are ignored (a stopped worker, a partition moved away).
STALE_AFTER_SECONDS = 15.0


async def report_lag(runner: ConsumerRunner, redis: aioredis.Redis, every: float) -> None:
    """Worker task: publish ``runner.lag`` until cancelled; Redis outages are logged."""
    while True:
        await asyncio.sleep(every)
        if not runner.lag:
            continue
        now = time.time()
        fields: dict[EncodableT, EncodableT] = {
            f"{tp.topic}/{tp.partition}": f"{lag} {now:.3f}" for tp, lag in runner.lag.items()
        }
        try:
            await redis.hset(LAG_KEY, mapping=fields)
        except (RedisError, OSError) as exc:
            log.warning("could not report the indexer's lag: %s", exc)


def _str(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def read_lag(redis: aioredis.Redis, group: str) -> dict[str, Any]:
    """The latest fresh report: total records behind, and per partition."""
    raw: dict[bytes | str, bytes | str] = await redis.hgetall(LAG_KEY)
    now = time.time()
    partitions: dict[str, int] = {}
    newest: float | None = None
    for field, value in raw.items():
        lag_text, _, stamp_text = _str(value).partition(" ")
        stamp = float(stamp_text)
        if now - stamp > STALE_AFTER_SECONDS:
            continue
        partitions[_str(field)] = int(lag_text)
        newest = stamp if newest is None else max(newest, stamp)
    return {
        "group": group,
        "lag": sum(partitions.values()) if partitions else None,
        "partitions": dict(sorted(partitions.items())),
        "reported_seconds_ago": round(now - newest, 3) if newest is not None else None,
    }
