"""Redis down: stats are computed (not cached), logged and counted; the worker keeps
applying events and drops the caches it owes once Redis is back. Stops Redis: runs last."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis
from prodkit import Direct, entry_state, event, new_id, wait_cached

from support.api import wait_until
from support.platform import PlatformInfo

pytestmark = pytest.mark.fault

HOUR = timedelta(hours=1)
COUNTER = re.compile(
    r'^tt_degraded_total\{dependency="redis",fallback="cache_bypassed"\} ([0-9.e+]+)$', re.M
)


def _bypassed(platform: PlatformInfo) -> float:
    metrics = httpx.get(f"{platform.internal_url('productivity')}/metrics").text
    found = COUNTER.search(metrics)
    return float(found.group(1)) if found else 0.0


def test_stats_without_redis(
    direct: Direct, platform: PlatformInfo, cache_redis: redis.Redis, local_platform
) -> None:  # type: ignore[no-untyped-def]
    uid = new_id()
    start = datetime.now(UTC) - timedelta(days=1)
    first = new_id()
    direct.publish(
        event("time_entry", "created", first, 1, entry_state(first, uid, start, start + HOUR))
    )
    # Fault tests run last: the Kafka outage just before may leave the worker in its
    # reconnect backoff (up to ~22 s) with a backlog, so the first event gets longer.
    direct.wait_stats(uid, lambda s: s["focus"]["sessions"] == 1, "first entry", timeout=90)
    wait_cached(direct, "/api/v1/productivity/stats", uid)

    before = _bypassed(platform)
    local_platform.stop_process("redis")
    try:
        r = direct.get("/api/v1/productivity/stats", uid)
        assert r.status_code == 200
        assert r.headers["X-Cache"] == "BYPASS"
        assert direct.get("/api/v1/stats/value-dashboard", uid).status_code == 200
        assert _bypassed(platform) > before
        second = new_id()
        direct.publish(
            event("time_entry", "created", second, 1, entry_state(second, uid, start, start + HOUR))
        )
        direct.wait_stats(uid, lambda s: s["focus"]["sessions"] == 2, "applied during the outage")
    finally:
        local_platform.start_infra("redis")

    # The restarted Redis is empty: only the worker's retried drop writes this generation.
    wait_until(
        lambda: cache_redis.get(f"productivity:gen:user:{uid}"),
        timeout=20,
        what="the deferred cache drop",
    )
    assert direct.get("/api/v1/productivity/stats", uid).headers["X-Cache"] == "MISS"
    wait_cached(direct, "/api/v1/productivity/stats", uid)
