"""The delivery queue in PostgreSQL: claiming due deliveries, recording attempts.

Ordering: deliveries of one entity for one subscription form a lane, and only a lane's
head (its lowest pending id) can be claimed, so a lane goes out one at a time, in order,
and a failing head holds back only its own lane. Claims take a lease, so several worker
processes share the queue and a crashed one's deliveries are retried after the lease.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.webhooks.deliveries.models import DELIVERED, FAILED, PENDING

# Written so its cost does not hang on the planner's estimates: one ordered pass over the
# pending rows of active subscriptions (the lane index) finds each lane's head, and the
# update touches the chosen ids through the primary key.
CLAIM = text(
    """
    WITH heads AS MATERIALIZED (
        SELECT DISTINCT ON (subscription_id, lane)
               id, subscription_id, next_attempt_at, lease_until
        FROM webhook_deliveries
        WHERE status = 'pending'
          AND subscription_id = ANY(ARRAY(SELECT id FROM webhook_subscriptions WHERE active))
        ORDER BY subscription_id, lane, id
    ), due AS (
        SELECT id, subscription_id, next_attempt_at,
               row_number() OVER (
                   PARTITION BY subscription_id ORDER BY next_attempt_at, id
               ) AS rank
        FROM heads
        WHERE next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
    ), budget AS (
        SELECT * FROM unnest(CAST(:busy_ids AS bigint[]), CAST(:busy_slots AS int[]))
            AS b(subscription_id, slots)
    ), chosen AS MATERIALIZED (
        SELECT due.id FROM due LEFT JOIN budget USING (subscription_id)
        WHERE due.rank <= COALESCE(budget.slots, :per_subscription)
        ORDER BY due.next_attempt_at, due.id
        LIMIT :limit
    )
    UPDATE webhook_deliveries d
    SET lease_until = now() + make_interval(secs => :lease_seconds), lease_token = :token
    FROM webhook_subscriptions s, webhook_events e
    WHERE d.id = ANY(ARRAY(SELECT id FROM chosen))
      AND s.id = d.subscription_id AND e.id = d.event_id
      AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until < now())
    RETURNING d.id, d.subscription_id, d.event_id, d.event_type, d.created_at,
              d.consecutive_failures, d.retry_until, s.url, s.secret_sealed,
              s.previous_secret_sealed, s.previous_secret_expires_at, e.payload
    """
)

# Results are saved in batches: one statement per table for many attempts.
FINISH = text(
    """
    UPDATE webhook_deliveries d
    SET status = r.status, attempts = d.attempts + 1, consecutive_failures = r.failures,
        next_attempt_at = COALESCE(r.next_attempt_at, now()),
        last_status_code = r.status_code, last_error = r.error,
        completed_at = r.completed_at, lease_until = NULL, lease_token = NULL
    FROM unnest(
        CAST(:ids AS bigint[]), CAST(:tokens AS text[]), CAST(:statuses AS text[]),
        CAST(:failures AS int[]), CAST(:next_attempts AS timestamptz[]),
        CAST(:status_codes AS int[]), CAST(:errors AS text[]),
        CAST(:completed AS timestamptz[])
    ) AS r(id, token, status, failures, next_attempt_at, status_code, error, completed_at)
    WHERE d.id = r.id AND d.lease_token = r.token
    """
)

# Locks the deliveries so a concurrent delete (of their subscription) cannot slip in;
# a delivery deleted meanwhile simply gets no log line.
LOG_ATTEMPTS = text(
    """
    INSERT INTO webhook_attempts
        (delivery_id, attempted_at, outcome, status_code, latency_ms, error, response_excerpt)
    SELECT d.id, r.attempted_at, r.outcome, r.status_code, r.latency_ms, r.error, r.excerpt
    FROM unnest(
        CAST(:ids AS bigint[]), CAST(:attempted AS timestamptz[]), CAST(:outcomes AS text[]),
        CAST(:status_codes AS int[]), CAST(:latencies AS int[]), CAST(:errors AS text[]),
        CAST(:excerpts AS text[])
    ) AS r(id, attempted_at, outcome, status_code, latency_ms, error, excerpt)
    JOIN webhook_deliveries d ON d.id = r.id
    FOR KEY SHARE OF d
    """
)

DISABLE_GONE = text(
    """
    UPDATE webhook_subscriptions
    SET active = false, disabled_reason = 'gone', disabled_at = now(), updated_at = now()
    WHERE id = ANY(CAST(:subscription_ids AS bigint[])) AND active
    """
)

RELEASE = text(
    "UPDATE webhook_deliveries SET lease_until = NULL, lease_token = NULL "
    "WHERE lease_token = :token AND status = 'pending'"
)

PURGE_DELIVERIES = text(
    """
    DELETE FROM webhook_deliveries WHERE id IN (
        SELECT id FROM webhook_deliveries
        WHERE status <> 'pending' AND completed_at < now() - make_interval(days => :days)
        LIMIT 5000
    )
    """
)
PURGE_EVENTS = text(
    """
    DELETE FROM webhook_events e
    WHERE e.created_at < now() - make_interval(days => :days)
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
    """
)


@dataclass(frozen=True)
class Job:
    """A claimed delivery with everything needed to send it."""

    id: int
    subscription_id: int
    event_id: str
    event_type: str
    created_at: datetime
    consecutive_failures: int
    retry_until: datetime
    url: str
    secret_sealed: bytes
    previous_secret_sealed: bytes | None
    previous_secret_expires_at: datetime | None
    payload: bytes


@dataclass(frozen=True)
class Result:
    """How one attempt ended and what the delivery becomes."""

    status: str  # the delivery's new status
    outcome: str  # the attempt's outcome
    attempted_at: datetime
    latency_ms: int
    status_code: int | None = None
    error: str | None = None
    excerpt: str | None = None
    failures: int = 0
    next_attempt_at: datetime | None = None
    disable_subscription: bool = False


async def claim(
    session: AsyncSession,
    *,
    token: str,
    limit: int,
    per_subscription: int,
    busy: Mapping[int, int],
    lease_seconds: float,
) -> list[Job]:
    """Lease up to ``limit`` lane heads, at most ``busy``'s free slots per subscription."""
    params: dict[str, Any] = {
        "busy_ids": list(busy),
        "busy_slots": [max(0, per_subscription - n) for n in busy.values()],
        "per_subscription": per_subscription,
        "limit": limit,
        "lease_seconds": lease_seconds,
        "token": token,
    }
    rows = (await session.execute(CLAIM, params)).mappings().all()
    return [Job(**dict(row)) for row in rows]


async def record(session: AsyncSession, results: Sequence[tuple[Job, str, Result]]) -> int:
    """Log the attempts and move their deliveries on; returns how many still held a lease."""
    if not results:
        return 0
    updated = await session.execute(
        FINISH,
        {
            "ids": [job.id for job, _, _ in results],
            "tokens": [token for _, token, _ in results],
            "statuses": [r.status for _, _, r in results],
            "failures": [r.failures for _, _, r in results],
            "next_attempts": [
                r.next_attempt_at if r.status == PENDING else None for _, _, r in results
            ],
            "status_codes": [r.status_code for _, _, r in results],
            "errors": [r.error for _, _, r in results],
            "completed": [
                r.attempted_at if r.status in (DELIVERED, FAILED) else None for _, _, r in results
            ],
        },
    )
    await session.execute(
        LOG_ATTEMPTS,
        {
            "ids": [job.id for job, _, _ in results],
            "attempted": [r.attempted_at for _, _, r in results],
            "outcomes": [r.outcome for _, _, r in results],
            "status_codes": [r.status_code for _, _, r in results],
            "latencies": [r.latency_ms for _, _, r in results],
            "errors": [r.error for _, _, r in results],
            "excerpts": [r.excerpt for _, _, r in results],
        },
    )
    gone = sorted({job.subscription_id for job, _, r in results if r.disable_subscription})
    if gone:
        await session.execute(DISABLE_GONE, {"subscription_ids": gone})
    return int(getattr(updated, "rowcount", 0))


async def release(session: AsyncSession, tokens: Sequence[str]) -> None:
    """Give back leases we hold (shutdown), so the deliveries go out without waiting."""
    for token in tokens:
        await session.execute(RELEASE, {"token": token})


async def purge(session: AsyncSession, retention_days: int) -> None:
    await session.execute(PURGE_DELIVERIES, {"days": retention_days})
    await session.execute(PURGE_EVENTS, {"days": retention_days})
