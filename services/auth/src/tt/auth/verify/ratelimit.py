"""Sliding-window rate limits: one atomic Redis script per request, shared by every auth
replica, with process-local windows while Redis is unreachable (docs/api.md §3).

A subject (a token, a user, a client address) has one sorted set of request times; each
window (a minute, an hour) counts the members younger than it. A rejected request is
not recorded, so it does not consume quota. The same script also checks the auth epoch
(see ``principals``) so a warm cache costs no extra round trip.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import time
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from tt.common.metrics import DEGRADED

log = logging.getLogger("tt.auth.ratelimit")

Mode = Literal["hit", "check", "add"]

# KEYS[1]: the subject's request log; KEYS[2]: the auth epoch; KEYS[3] (optional): a second
# subject's log (a token's user), counted only when both subjects are under their limits.
# ARGV: expected epoch ('' skips the check), mode, member, then per subject its number of
# windows followed by limit/window_ms pairs.
# Returns {allowed, epoch, now, count_1, oldest_1, ...}: allowed = 1, 0 (the first subject
# is over a limit), 2 (the second is; its counts follow) or -1 (the epoch changed).
# Each window costs one ZCOUNT and one ZRANGEBYSCORE; the counts returned include the
# request just recorded.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local epoch = ''
if ARGV[1] ~= '' then
  epoch = redis.call('GET', KEYS[2]) or '0'
  if epoch ~= ARGV[1] then return {-1, epoch, now} end
end
local mode = ARGV[2]
local function look(key, at)
  local n = tonumber(ARGV[at])
  local longest = 0
  for i = 1, n do
    local w = tonumber(ARGV[at + 2 * i])
    if w > longest then longest = w end
  end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - longest)
  local stats = {}
  local over = false
  for i = 1, n do
    local limit = tonumber(ARGV[at - 1 + 2 * i])
    local since = '(' .. (now - tonumber(ARGV[at + 2 * i]))
    local count = redis.call('ZCOUNT', key, since, '+inf')
    local oldest = now
    if count > 0 then
      local first = redis.call('ZRANGEBYSCORE', key, since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      oldest = math.floor(tonumber(first[2]))
    end
    if count >= limit then over = true end
    stats[#stats + 1] = count
    stats[#stats + 1] = oldest
  end
  return stats, over, longest, at + 1 + 2 * n
end
local function reply(allowed, stats, counted)
  local out = {allowed, epoch, now}
  for i = 1, #stats, 2 do
    out[#out + 1] = stats[i] + (counted and 1 or 0)
    out[#out + 1] = stats[i + 1]
  end
  return out
end
local stats, over, longest, next_at = look(KEYS[1], 4)
if over and mode ~= 'add' then return reply(0, stats, false) end
local other, other_over, other_longest
if KEYS[3] then
  other, other_over, other_longest = look(KEYS[3], next_at)
  if other_over and mode ~= 'add' then return reply(2, other, false) end
end
if mode == 'check' then return reply(1, stats, false) end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], longest)
if KEYS[3] then
  redis.call('ZADD', KEYS[3], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[3], other_longest)
end
return reply(1, stats, true)
"""

EPOCH_KEY = "tt:auth:epoch"
_PREFIX = "tt:auth:rl:"
_REDIS_RETRY_AFTER = 1.0
_MAX_LOCAL_SUBJECTS = 100_000
# Members of the process-local windows are their time in ms, behind this prefix.
_LOCAL_MEMBER = "local:"


@dataclass(frozen=True, slots=True)
class Window:
    name: str
    limit: int
    seconds: int


@dataclass(frozen=True, slots=True)
class Quota:
    """The outcome of one rate-limit decision and what the headers say about it."""

    allowed: bool
    windows: tuple[Window, ...]
    counts: tuple[int, ...]
    oldest_ms: tuple[int, ...]
    now_ms: int
    # The request's own entry in the subject's log when it was counted (for ``refund``).
    member: str | None = None

    def remaining(self, i: int) -> int:
        return max(0, self.windows[i].limit - self.counts[i])

    @property
    def tightest(self) -> int:
        """The window with the least quota left (the shorter one on a tie)."""
        return min(range(len(self.windows)), key=lambda i: (self.remaining(i), i))

    def reset_at_ms(self, i: int) -> int:
        # When the oldest counted request leaves the window and frees a slot.
        if self.counts[i] == 0:
            return self.now_ms
        return self.oldest_ms[i] + self.windows[i].seconds * 1000

    @property
    def retry_after(self) -> int:
        """Seconds until every exhausted window has a free slot again (at least 1)."""
        waits = [
            self.reset_at_ms(i) - self.now_ms
            for i in range(len(self.windows))
            if self.remaining(i) == 0
        ]
        return max(1, math.ceil(max(waits, default=1000) / 1000))

    def headers(self) -> dict[str, str]:
        """``X-RateLimit-*`` and the IETF ``RateLimit``/``RateLimit-Policy`` fields."""
        i = self.tightest
        window = self.windows[i]
        remaining = self.remaining(i)
        reset_ms = self.reset_at_ms(i)
        seconds_left = max(0, math.ceil((reset_ms - self.now_ms) / 1000))
        policy = ", ".join(f'"{w.name}";q={w.limit};w={w.seconds}' for w in self.windows)
        return {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(math.ceil(reset_ms / 1000)),
            "RateLimit-Policy": policy,
            "RateLimit": f'"{window.name}";r={remaining};t={seconds_left}',
        }


class EpochChanged(Exception):
    """Raised when the auth epoch moved: the caller reloads its cache entry and retries."""

    def __init__(self, epoch: str) -> None:
        super().__init__(epoch)
        self.epoch = epoch


class RateLimiter:
    """Applies a set of windows to subjects; Redis first, process-local when it is down."""

    def __init__(self, redis: aioredis.Redis, windows: tuple[Window, ...], namespace: str) -> None:
        self._redis = redis
        self._script = redis.register_script(_SCRIPT)
        self.windows = windows
        self._namespace = namespace
        self._local = LocalWindows()
        self._members = itertools.count()
        self._member_prefix = f"{os.getpid()}-{time.time_ns()}-"
        self._redis_down_until = 0.0
        self._degraded = False

    def with_limits(self, limits: tuple[int | None, ...]) -> tuple[Window, ...]:
        """These windows with some limits overridden (None keeps the default)."""
        return tuple(
            w if limit is None else Window(w.name, limit, w.seconds)
            for w, limit in zip(self.windows, limits, strict=True)
        )

    async def apply(
        self,
        subject: str,
        *,
        mode: Mode = "hit",
        epoch: str | None = None,
        windows: tuple[Window, ...] | None = None,
        also: tuple[str, tuple[Window, ...]] | None = None,
    ) -> Quota:
        """Count one request of ``subject`` (unless rejected); ``mode`` ``check`` only looks,
        ``add`` records without a limit. Raises EpochChanged when ``epoch`` is stale.

        ``also`` names a second subject and its windows (a token's user): the request is
        counted for both only when both are under their limits, in the same round trip. A
        request the second subject refuses answers the second subject's quota."""
        windows = windows or self.windows
        if time.monotonic() >= self._redis_down_until:
            try:
                quota = await self._apply_redis(subject, mode, epoch, windows, also)
            except RedisError as exc:
                self._redis_failed(exc)
            else:
                if self._degraded:
                    self._degraded = False
                    log.warning("Redis is back: rate limits are shared again")
                return quota
        DEGRADED.labels("redis", "local_rate_limit").inc()
        return self._local.apply(subject, mode, windows, also)

    async def refund(self, subject: str, quota: Quota) -> None:
        """Take back the request ``quota`` counted for ``subject`` (it turned out not to
        count: a successful sign-in)."""
        if quota.member is None:
            return
        if quota.member.startswith(_LOCAL_MEMBER):
            self._local.remove(subject, int(quota.member[len(_LOCAL_MEMBER) :]))
            return
        try:
            await self._redis.zrem(self._key(subject), quota.member)
        except RedisError as exc:
            self._redis_failed(exc)

    @property
    def degraded(self) -> bool:
        return self._degraded

    async def epoch(self) -> str | None:
        """The current auth epoch, or None while Redis is unreachable."""
        if time.monotonic() < self._redis_down_until:
            return None
        try:
            value = await self._redis.get(EPOCH_KEY)
        except RedisError as exc:
            self._redis_failed(exc)
            return None
        return _text(value) if value is not None else "0"

    async def _apply_redis(
        self,
        subject: str,
        mode: Mode,
        epoch: str | None,
        windows: tuple[Window, ...],
        also: tuple[str, tuple[Window, ...]] | None,
    ) -> Quota:
        member = f"{self._member_prefix}{next(self._members)}"
        keys = [self._key(subject), EPOCH_KEY]
        args = [epoch or "", mode, member, *_window_args(windows)]
        if also is not None:
            keys.append(self._key(also[0]))
            args += _window_args(also[1])
        raw = await self._script(keys=keys, args=args)
        allowed = int(raw[0])
        if allowed == -1:
            raise EpochChanged(_text(raw[1]))
        if allowed == 2:
            assert also is not None
            windows = also[1]
        counts = tuple(int(raw[3 + 2 * i]) for i in range(len(windows)))
        oldest = tuple(int(raw[4 + 2 * i]) for i in range(len(windows)))
        counted = allowed == 1 and mode != "check"
        return Quota(
            allowed == 1, windows, counts, oldest, int(raw[2]), member if counted else None
        )

    def _key(self, subject: str) -> str:
        return f"{_PREFIX}{self._namespace}:{subject}"

    def _redis_failed(self, exc: Exception) -> None:
        self._redis_down_until = time.monotonic() + _REDIS_RETRY_AFTER
        if not self._degraded:
            self._degraded = True
            log.warning(
                "Redis unavailable: rate limits fall back to process-local windows",
                extra={"error": f"{type(exc).__name__}: {exc}"},
            )


class LocalWindows:
    """The same sliding windows in this process only (Redis outage fallback)."""

    def __init__(self) -> None:
        # Per subject, its request times in ms, ascending.
        self._logs: OrderedDict[str, list[int]] = OrderedDict()

    def apply(
        self,
        subject: str,
        mode: Mode,
        windows: tuple[Window, ...],
        also: tuple[str, tuple[Window, ...]] | None = None,
    ) -> Quota:
        if also is None:
            return self._apply(subject, mode, windows)
        if mode == "hit":
            # Both subjects under their limits, or neither is counted (as the script does).
            first = self._apply(subject, "check", windows)
            if not first.allowed:
                return first
            second = self._apply(also[0], "check", also[1])
            if not second.allowed:
                return second
            self._apply(also[0], "add", also[1])
            return self._apply(subject, "add", windows)
        self._apply(also[0], mode, also[1])
        return self._apply(subject, mode, windows)

    def _apply(self, subject: str, mode: Mode, windows: tuple[Window, ...]) -> Quota:
        now = int(time.time() * 1000)
        longest_ms = max(w.seconds for w in windows) * 1000
        times = self._logs.get(subject)
        if times is None:
            times = self._logs[subject] = []
            if len(self._logs) > _MAX_LOCAL_SUBJECTS:
                self._logs.popitem(last=False)
        del times[: bisect_right(times, now - longest_ms)]
        allowed = mode == "add" or all(self._count(times, now, w) < w.limit for w in windows)
        counted = allowed and mode != "check"
        if counted:
            times.insert(bisect_right(times, now), now)
        counts = tuple(self._count(times, now, w) for w in windows)
        oldest = tuple(self._oldest(times, now, w) for w in windows)
        return Quota(
            allowed, windows, counts, oldest, now, f"{_LOCAL_MEMBER}{now}" if counted else None
        )

    def remove(self, subject: str, at_ms: int) -> None:
        """Forget one request counted at ``at_ms``."""
        times = self._logs.get(subject)
        if times is not None and at_ms in times:
            times.remove(at_ms)

    @staticmethod
    def _count(times: list[int], now: int, window: Window) -> int:
        return len(times) - bisect_right(times, now - window.seconds * 1000)

    @staticmethod
    def _oldest(times: list[int], now: int, window: Window) -> int:
        i = bisect_right(times, now - window.seconds * 1000)
        return times[i] if i < len(times) else now


def _window_args(windows: tuple[Window, ...]) -> list[str]:
    args = [str(len(windows))]
    for w in windows:
        args += [str(w.limit), str(w.seconds * 1000)]
    return args


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def bump_epoch(redis: aioredis.Redis) -> bool:
    """Tell every replica that a token, user or key changed (their caches reload)."""
    try:
        await redis.incr(EPOCH_KEY)
    except RedisError as exc:
        log.warning("cannot bump the auth epoch (Redis): %s", exc)
        return False
    return True
