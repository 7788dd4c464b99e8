"""What an attempt's response means, and when to try again. Pure functions."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

from tt.webhooks.dispatch.transport import Response

# Beyond any retry window; only keeps absurd values from overflowing date arithmetic.
MAX_RETRY_AFTER_SECONDS = 30 * 86_400.0


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # timeouts, connection errors, 408, 429, 5xx
    GONE = "gone"  # 410: the subscriber asked us to stop; the subscription is disabled
    REFUSED = "refused"  # the target's address is not allowed (SSRF policy)
    FAILED = "failed"  # any other answer (3xx: redirects are not followed; 4xx)


def classify(response: Response) -> Outcome:
    if response.refused:
        return Outcome.REFUSED
    status = response.status
    if status is None:
        return Outcome.RETRY
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status == 410:
        return Outcome.GONE
    if status in (408, 429) or status >= 500:
        return Outcome.RETRY
    return Outcome.FAILED


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with equal jitter: half the step fixed, half random."""

    base_seconds: float
    max_delay_seconds: float

    def delay(self, failures: int, rand: Callable[[], float] = random.random) -> float:
        # The exponent is bounded: 2.0 ** 1024 overflows, and short test timings (0.05 s,
        # capped at 0.5 s) reach a thousand failures within the 24 h window.
        doublings = min(max(0, failures - 1), 64)
        step = min(self.max_delay_seconds, self.base_seconds * 2.0**doublings)
        return step / 2 + rand() * step / 2


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds from ``now``: delta-seconds or an HTTP-date; None for
    anything else. A receiver writes this header: no value of it may raise."""
    if not value:
        return None
    value = value.strip()
    # ASCII digits only: str.isdigit() is also true of "²" or "٣", which float() refuses.
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER_SECONDS)


def next_attempt(
    backoff: Backoff,
    failures: int,
    retry_after: str | None,
    now: datetime,
    retry_until: datetime,
) -> datetime | None:
    """When to try again after ``failures`` failures in a row; None once past the window.

    The receiver's ``Retry-After`` is honoured when it asks for longer than our backoff.
    """
    delay = backoff.delay(failures)
    asked = retry_after_seconds(retry_after, now)
    if asked is not None:
        delay = max(delay, asked)
    when = now + timedelta(seconds=delay)
    return when if when <= retry_until else None
