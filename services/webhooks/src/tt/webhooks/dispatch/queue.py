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

CLAIM = text(
    """
    WITH budget AS (
        SELECT * FROM unnest(CAST(:busy_ids AS bigint[]), CAST(:busy_slots AS int[]))
            AS b(subscription_id, slots)
    ), heads AS (
        SELECT d.id, d.subscription_id, d.next_attempt_at,
               row_number() OVER (
                   PARTITION BY d.subscription_id ORDER BY d.next_attempt_at, d.id
               ) AS rank
        FROM webhook_deliveries d
        JOIN webhook_subscriptions s ON s.id = d.subscription_id
        WHERE d.status = 'pending' AND s.active
          AND d.next_attempt_at <= now()
          AND (d.lease_until IS NULL OR d.lease_until < now())
          AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
              WHERE p.subscription_id = d.subscription_id AND p.lane = d.lane
                AND p.status = 'pending' AND p.id < d.id
          )
    ), chosen AS (
        SELECT h.id FROM heads h LEFT JOIN budget b USING (subscription_id)
        WHERE h.rank <= COALESCE(b.slots, :per_subscription)
        ORDER BY h.next_attempt_at, h.id
        LIMIT :limit
    )
    UPDATE webhook_deliveries d
    SET lease_until = now() + make_interval(secs => :lease_seconds), lease_token = :token
    FROM chosen, webhook_subscriptions s, webhook_events e
    WHERE d.id = chosen.id AND s.id = d.subscription_id AND e.id = d.event_id
      AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until < now())
    RETURNING d.id, d.subscription_id, d.event_id, d.event_type, d.created_at,
              d.consecutive_failures, d.retry_until, s.url, s.secret_sealed,
              s.previous_secret_sealed, s.previous_secret_expires_at, e.payload
    """
)

FINISH = text(
    """
    UPDATE webhook_deliveries
    SET status = :status, attempts = attempts + 1,
        consecutive_failures = :failures, next_attempt_at = COALESCE(:next_attempt_at, now()),
        last_status_code = :status_code, last_error = :error,
        completed_at = :completed_at, lease_until = NULL, lease_token = NULL
    WHERE id = :id AND lease_token = :token
    """
)

LOG_ATTEMPT = text(
    """
    INSERT INTO webhook_attempts
        (delivery_id, attempted_at, outcome, status_code, latency_ms, error, response_excerpt)
    VALUES (:id, :attempted_at, :outcome, :status_code, :latency_ms, :error, :excerpt)
    """
)

DISABLE_GONE = text(
    """
    UPDATE webhook_subscriptions
    SET active = false, disabled_reason = 'gone', disabled_at = now(), updated_at = now()
    WHERE id = :subscription_id AND active
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


async def record(session: AsyncSession, job: Job, token: str, result: Result) -> bool:
    """Log the attempt and move the delivery on; False if our lease was lost meanwhile."""
    await session.execute(
        LOG_ATTEMPT,
        {
            "id": job.id,
            "attempted_at": result.attempted_at,
            "outcome": result.outcome,
            "status_code": result.status_code,
            "latency_ms": result.latency_ms,
            "error": result.error,
            "excerpt": result.excerpt,
        },
    )
    finished = result.status in (DELIVERED, FAILED)
    updated = await session.execute(
        FINISH,
        {
            "id": job.id,
            "token": token,
            "status": result.status,
            "failures": result.failures,
            "next_attempt_at": result.next_attempt_at if result.status == PENDING else None,
            "status_code": result.status_code,
            "error": result.error,
            "completed_at": result.attempted_at if finished else None,
        },
    )
    if result.disable_subscription:
        await session.execute(DISABLE_GONE, {"subscription_id": job.subscription_id})
    return bool(getattr(updated, "rowcount", 0))


async def release(session: AsyncSession, tokens: Sequence[str]) -> None:
    """Give back leases we hold (shutdown), so the deliveries go out without waiting."""
    for token in tokens:
        await session.execute(RELEASE, {"token": token})


async def purge(session: AsyncSession, retention_days: int) -> None:
    await session.execute(PURGE_DELIVERIES, {"days": retention_days})
    await session.execute(PURGE_EVENTS, {"days": retention_days})
