"""The rate limiter's windows on the real Redis, and the same windows in one process while
Redis is away: they slide, a refused request costs nothing, a refund gives a slot back, and
a subject's state stays a few small buckets however many requests it makes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from support.platform import PlatformInfo
from tt.auth.verify.ratelimit import RateLimiter, Window
from tt.devenv.services import BY_NAME

# Two seconds in one-second buckets: the shortest window that still slides in steps.
TWO_SECONDS = (Window("two", 3, 2),)
MINUTE_AND_HOUR = (Window("minute", 100_000, 60), Window("hour", 1_000_000, 3600))


@pytest.fixture(params=["redis", "local"])
async def limiter(
    request: pytest.FixtureRequest, platform: PlatformInfo
) -> AsyncIterator[RateLimiter]:
    """A limiter on auth's Redis, or one whose Redis never answers (process-local windows)."""
    url = f"{platform.redis_url}/{BY_NAME['auth'].redis_db}"
    if request.param == "local":
        url = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    client = aioredis.from_url(url, socket_connect_timeout=0.5)
    limiter = RateLimiter(client, TWO_SECONDS, namespace=f"test-{uuid.uuid4().hex}")
    try:
        yield limiter
    finally:
        await client.aclose()
    # A script error would also fall back to the local windows: the Redis case must not.
    assert limiter.degraded == (request.param == "local")


async def test_a_window_refuses_over_its_limit_and_slides(limiter: RateLimiter) -> None:
    subject = "s"
    quotas = [await limiter.apply(subject) for _ in range(3)]
    assert [q.allowed for q in quotas] == [True] * 3
    assert [q.remaining(0) for q in quotas] == [2, 1, 0]
    refused = await limiter.apply(subject)
    assert not refused.allowed
    assert refused.counts == (3,)  # the refusal itself was not counted
    assert refused.retry_after in (1, 2)
    reset_ms = refused.reset_at_ms(0)
    assert refused.now_ms < reset_ms <= refused.now_ms + 2000
    # Once the oldest bucket's requests leave the window, the slots are free again. (Times
    # are Redis's or this process's clock, whichever counted: never mixed with the other,
    # which `./dev test --at` shifts.)
    await asyncio.sleep((reset_ms - refused.now_ms) / 1000 + 0.05)
    again = await limiter.apply(subject)
    assert again.allowed
    assert again.counts == (1,)


async def test_the_window_lets_go_of_one_bucket_at_a_time(limiter: RateLimiter) -> None:
    three = (Window("three", 10, 3),)
    first = await limiter.apply("b", windows=three)
    await asyncio.sleep(1.1)
    await limiter.apply("b", windows=three)
    third = await limiter.apply("b", windows=three)
    assert third.counts == (3,)
    # The first second's bucket leaves; the later one's two requests still count.
    await asyncio.sleep((first.now_ms + 3000 - third.now_ms) / 1000 + 0.05)
    assert (await limiter.apply("b", mode="check", windows=three)).counts == (2,)


async def test_a_refund_gives_the_slot_back(limiter: RateLimiter) -> None:
    for _ in range(2):
        await limiter.apply("r")
    third = await limiter.apply("r")
    assert third.remaining(0) == 0
    await limiter.refund("r", third)
    assert (await limiter.apply("r", mode="check")).counts == (2,)
    assert (await limiter.apply("r")).allowed


async def test_check_looks_and_add_counts_past_the_limit(limiter: RateLimiter) -> None:
    assert (await limiter.apply("c", mode="check")).counts == (0,)
    for _ in range(4):
        assert (await limiter.apply("c", mode="add")).allowed
    looked = await limiter.apply("c", mode="check")
    assert (looked.allowed, looked.counts) == (False, (4,))


async def test_a_second_subject_is_counted_only_when_both_are_under_their_limits(
    limiter: RateLimiter,
) -> None:
    user = ("user", (Window("two", 2, 2),))
    assert (await limiter.apply("t1", also=user)).allowed
    assert (await limiter.apply("t2", also=user)).allowed
    refused = await limiter.apply("t3", also=user)
    assert not refused.allowed
    assert refused.windows == user[1]  # the user's quota answers
    # t3 was not counted either.
    assert (await limiter.apply("t3", mode="check")).counts == (0,)


async def test_a_busy_subject_keeps_a_few_buckets_not_one_entry_per_request(
    platform: PlatformInfo,
) -> None:
    client = aioredis.from_url(f"{platform.redis_url}/{BY_NAME['auth'].redis_db}")
    namespace = f"test-{uuid.uuid4().hex}"
    limiter = RateLimiter(client, MINUTE_AND_HOUR, namespace=namespace)
    try:
        started = time.monotonic()
        for _ in range(2000):
            quota = await limiter.apply("busy")
        seconds = time.monotonic() - started
        assert quota.counts == (2000, 2000)
        key = f"tt:auth:quota:{namespace}:busy"
        fields = await client.hlen(key)
        # One field per second of the minute and per minute of the hour that saw requests,
        # and each window's total, oldest and newest bucket.
        assert fields <= (int(seconds) + 2) + 2 + 6
        assert await client.memory_usage(key) < 1024
        assert 0 < await client.pttl(key) <= 3600 * 1000
    finally:
        await client.aclose()
