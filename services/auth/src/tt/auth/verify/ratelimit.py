"""Sliding-window rate limits: one atomic Redis script per request, shared by every auth
replica, with process-local windows while Redis is unreachable (docs/api.md §3).

A subject (a token, a user, a client address) has one Redis hash of request counts in
buckets: a window of W seconds counts in buckets of W/60 (at least a second), so a minute
and an hour each keep at most ~61 small fields whatever the request rate (a log of every
request held 280k members, ~90 MB, for one busy token). A bucket also remembers its latest
request, and it counts for a window until that request leaves it: the window slides in
steps of one bucket and never counts less than an exact log would; its reset is the
moment the oldest counted bucket's last request leaves (never later than now + W).

A rejected request is not recorded, so it does not consume quota. The same script also
checks the auth epoch (see ``principals``) so a warm cache costs no extra round trip.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from tt.common.metrics import DEGRADED

log = logging.getLogger("tt.auth.ratelimit")

Mode = Literal["hit", "check", "add"]

# KEYS[1]: the subject's buckets; KEYS[2]: the auth epoch; KEYS[3] (optional): a second
# subject's buckets (a token's user), counted only when both subjects are under their limits.
# ARGV: expected epoch ('' skips the check), mode, then per subject its number of windows
# followed by limit/window_ms/bucket_ms triples.
# A window of W ms keeps, in the subject's hash: 'W:<index>' per bucket, valued count *
# bucket_ms + the offset of its latest request in the bucket, and 'Wn', 'Wh', 'Wt': its total
# and its oldest and newest bucket index. A request looks at the buckets that left the window
# since the last one and at the oldest live one only, whatever the rate.
# Returns {allowed, epoch, now, count_1, oldest_1, ...}: allowed = 1, 0 (the first subject
# is over a limit), 2 (the second is; its counts follow) or -1 (the epoch changed); oldest is
# the latest request of the oldest bucket still counted. The counts returned include the
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
-- Drops the buckets whose latest request left window w; its total, oldest, head and tail.
local function slide(key, w, g)
  local meta = redis.call('HMGET', key, w .. 'n', w .. 'h', w .. 't')
  local total, head, tail = tonumber(meta[1]) or 0, tonumber(meta[2]), tonumber(meta[3])
  if not head then return 0, now, nil, nil end
  local start = head
  while head <= tail do
    local v = tonumber(redis.call('HGET', key, w .. ':' .. head))
    if v then
      local last = head * g + v % g
      if last > now - w then
        if head > start then redis.call('HSET', key, w .. 'n', total, w .. 'h', head) end
        return total, last, head, tail
      end
      total = total - math.floor(v / g)
      redis.call('HDEL', key, w .. ':' .. head)
    end
    head = head + 1
  end
  redis.call('HDEL', key, w .. 'n', w .. 'h', w .. 't')
  return 0, now, nil, nil
end
local function look(key, at)
  local n = tonumber(ARGV[at])
  local windows, stats, over, longest = {}, {}, false, 0
  for i = 1, n do
    local base = at + 3 * (i - 1)
    local limit, w, g = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
    local total, oldest, head, tail = slide(key, w, g)
    windows[i] = {w, g, total, head, tail}
    stats[2 * i - 1], stats[2 * i] = total, oldest
    if total >= limit then over = true end
    if w > longest then longest = w end
  end
  return stats, over, {windows, longest}, at + 1 + 3 * n
end
local function record(key, shape)
  for _, win in ipairs(shape[1]) do
    local w, g, total, head, tail = win[1], win[2], win[3], win[4], win[5]
    local index = math.floor(now / g)
    local field = w .. ':' .. index
    local count = math.floor((tonumber(redis.call('HGET', key, field)) or 0) / g)
    redis.call('HSET', key, field, (count + 1) * g + now - index * g, w .. 'n', total + 1,
      w .. 'h', math.min(head or index, index), w .. 't', math.max(tail or index, index))
  end
  redis.call('PEXPIRE', key, shape[2])
end
local function reply(allowed, stats, counted)
  local out = {allowed, epoch, now}
  for i = 1, #stats, 2 do
    out[#out + 1] = stats[i] + (counted and 1 or 0)
    out[#out + 1] = stats[i + 1]
  end
  return out
end
local stats, over, shape, next_at = look(KEYS[1], 3)
if over and mode ~= 'add' then return reply(0, stats, false) end
local other, other_over, other_shape
if KEYS[3] then
  other, other_over, other_shape = look(KEYS[3], next_at)
  if other_over and mode ~= 'add' then return reply(2, other, false) end
end
if mode == 'check' then return reply(1, stats, false) end
record(KEYS[1], shape)
if KEYS[3] then record(KEYS[3], other_shape) end
return reply(1, stats, true)
"""

# Takes one request, counted at ARGV[1] (ms), back out of each window's bucket; ARGV[2..]
# are window_ms/bucket_ms pairs. An emptied bucket stays until the window slides past it.
_REFUND = """
local at = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local w, g = ARGV[i], tonumber(ARGV[i + 1])
  local field = w .. ':' .. math.floor(at / g)
  local v = tonumber(redis.call('HGET', KEYS[1], field))
  if v and v >= g then
    redis.call('HSET', KEYS[1], field, v - g)
    redis.call('HINCRBY', KEYS[1], w .. 'n', -1)
  end
end
"""

EPOCH_KEY = "tt:auth:epoch"
# "rl" held the request logs of the sorted-set limiter; its keys expire within the hour.
_PREFIX = "tt:auth:quota:"
_REDIS_RETRY_AFTER = 1.0
_MAX_LOCAL_SUBJECTS = 100_000
# A window slides in this many steps (buckets), each at least a second.
_BUCKETS_PER_WINDOW = 60


@dataclass(frozen=True, slots=True)
class Window:
    name: str
    limit: int
    seconds: int

    @property
    def bucket_ms(self) -> int:
        return max(1000, self.seconds * 1000 // _BUCKETS_PER_WINDOW)


@dataclass(frozen=True, slots=True)
class Quota:
    """The outcome of one rate-limit decision and what the headers say about it."""

    allowed: bool
    windows: tuple[Window, ...]
    counts: tuple[int, ...]
    oldest_ms: tuple[int, ...]
    now_ms: int
    # Whether this request was counted, in Redis or in the process-local windows (for
    # ``refund``, which takes it back out of the buckets of ``now_ms``).
    counted: Literal["redis", "local", None] = None

    def remaining(self, i: int) -> int:
        return max(0, self.windows[i].limit - self.counts[i])

    @property
    def tightest(self) -> int:
        """The window with the least quota left (the shorter one on a tie)."""
        return min(range(len(self.windows)), key=lambda i: (self.remaining(i), i))

    def reset_at_ms(self, i: int) -> int:
        # When the oldest counted bucket's last request leaves the window, freeing its slots.
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
        self._refund = redis.register_script(_REFUND)
        self.windows = windows
        self._namespace = namespace
        self._local = LocalWindows()
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
        if quota.counted is None:
            return
        if quota.counted == "local":
            self._local.remove(subject, quota.now_ms)
            return
        sizes = sorted({(w.seconds * 1000, w.bucket_ms) for w in quota.windows})
        try:
            await self._refund(
                keys=[self._key(subject)], args=[quota.now_ms, *itertools.chain(*sizes)]
            )
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
        keys = [self._key(subject), EPOCH_KEY]
        args = [epoch or "", mode, *_window_args(windows)]
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
            allowed == 1, windows, counts, oldest, int(raw[2]), "redis" if counted else None
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
    """The same bucketed windows in this process only (Redis outage fallback)."""

    def __init__(self) -> None:
        # Per subject, its buckets: (bucket_ms, index) -> [count, latest request in ms].
        self._buckets: OrderedDict[str, dict[tuple[int, int], list[int]]] = OrderedDict()

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
        buckets = self._buckets.get(subject)
        if buckets is None:
            buckets = self._buckets[subject] = {}
            if len(self._buckets) > _MAX_LOCAL_SUBJECTS:
                self._buckets.popitem(last=False)
        keep: dict[int, int] = {}
        for w in windows:
            keep[w.bucket_ms] = max(keep.get(w.bucket_ms, 0), w.seconds * 1000)
        for key in [k for k, (_, last) in buckets.items() if last <= now - keep.get(k[0], 0)]:
            del buckets[key]
        counts, oldest = self._look(buckets, now, windows)
        allowed = mode == "add" or all(c < w.limit for c, w in zip(counts, windows, strict=True))
        counted = allowed and mode != "check"
        if counted:
            for size in keep:
                bucket = buckets.setdefault((size, now // size), [0, now])
                bucket[0] += 1
                bucket[1] = now
            counts = tuple(c + 1 for c in counts)
        return Quota(allowed, windows, counts, oldest, now, "local" if counted else None)

    def remove(self, subject: str, at_ms: int) -> None:
        """Forget one request counted at ``at_ms``."""
        buckets = self._buckets.get(subject, {})
        for size, index in list(buckets):
            if index == at_ms // size:
                bucket = buckets[size, index]
                bucket[0] -= 1
                if bucket[0] <= 0:
                    del buckets[size, index]

    @staticmethod
    def _look(
        buckets: dict[tuple[int, int], list[int]], now: int, windows: tuple[Window, ...]
    ) -> tuple[tuple[int, ...], tuple[int, ...]]:
        counts, oldest = [], []
        for w in windows:
            inside = [
                (count, last)
                for (size, _), (count, last) in buckets.items()
                if size == w.bucket_ms and last > now - w.seconds * 1000
            ]
            counts.append(sum(count for count, _ in inside))
            oldest.append(min((last for _, last in inside), default=now))
        return tuple(counts), tuple(oldest)


def _window_args(windows: tuple[Window, ...]) -> list[str]:
    args = [str(len(windows))]
    for w in windows:
        args += [str(w.limit), str(w.seconds * 1000), str(w.bucket_ms)]
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
