"""The delivery queue in PostgreSQL: claiming due deliveries, recording attempts.

Ordering: deliveries of one entity for one subscription form a lane, and only a lane's
head (its lowest pending id) can be claimed, so a lane goes out one at a time, in order,
and a failing head holds back only its own lane. Claims take a lease, so several worker
processes share the queue and a crashed one's deliveries are retried after the lease.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from tt.webhooks.deliveries.models import DELIVERED, FAILED, PENDING


@asynccontextmanager
async def autocommit(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection whose statements commit on their own: the queue's statements are each
    one atomic statement, so they need no BEGIN and COMMIT round trips."""
    async with engine.connect() as conn:
        yield await conn.execution_options(isolation_level="AUTOCOMMIT")


# Its cost follows what it claims, not the backlog: for each active subscription with free
# slots, one walk of the due index (its pending rows by next attempt) that stops after the
# subscription's free slots, each row checked to be its lane's head by one probe of the lane
# index. (Finding every lane's head first read all pending rows per claim: 19 ms a claim,
# most of PostgreSQL's time, with 13,000 deliveries waiting after a broker outage.)
CLAIM = text(
    """
    WITH budget AS (
        SELECT * FROM unnest(CAST(:busy_ids AS bigint[]), CAST(:busy_slots AS int[]))
            AS b(subscription_id, slots)
    ), owner_budget AS (
        SELECT * FROM unnest(CAST(:busy_owners AS bigint[]), CAST(:owner_slots AS int[]))
            AS o(owner_id, slots)
    ), open AS (
        SELECT s.id, s.owner_id, COALESCE(budget.slots, :per_subscription) AS slots
        FROM webhook_subscriptions s LEFT JOIN budget ON budget.subscription_id = s.id
        WHERE s.active
    ), due AS (
        SELECT head.id, head.next_attempt_at, open.owner_id
        FROM open CROSS JOIN LATERAL (
            SELECT d.id, d.next_attempt_at
            FROM webhook_deliveries d
            WHERE d.subscription_id = open.id AND d.status = 'pending'
              AND d.next_attempt_at <= now()
              AND (d.lease_until IS NULL OR d.lease_until < now())
              AND NOT EXISTS (
                  SELECT FROM webhook_deliveries earlier
                  WHERE earlier.subscription_id = d.subscription_id
                    AND earlier.lane = d.lane AND earlier.status = 'pending'
                    AND earlier.id < d.id
              )
            ORDER BY d.next_attempt_at, d.id
            LIMIT open.slots
        ) head
        WHERE open.slots > 0
    ), eligible AS (
        SELECT due.id, due.next_attempt_at, due.owner_id,
               row_number() OVER (
                   PARTITION BY due.owner_id ORDER BY due.next_attempt_at, due.id
               ) AS owner_rank
        FROM due
    ), chosen AS MATERIALIZED (
        SELECT eligible.id FROM eligible LEFT JOIN owner_budget USING (owner_id)
        WHERE eligible.owner_rank <= COALESCE(owner_budget.slots, :per_owner)
        ORDER BY eligible.next_attempt_at, eligible.id
        LIMIT :limit
    )
    UPDATE webhook_deliveries d
    SET lease_until = now() + make_interval(secs => :lease_seconds), lease_token = :token
    FROM webhook_subscriptions s, webhook_events e
    WHERE d.id = ANY(ARRAY(SELECT id FROM chosen))
      AND s.id = d.subscription_id AND e.id = d.event_id
      AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until < now())
    RETURNING d.id, d.subscription_id, s.owner_id, d.event_id, d.event_type, d.created_at,
              d.consecutive_failures, d.retry_until, s.url, s.secret_sealed,
              s.previous_secret_sealed, s.previous_secret_expires_at, e.payload
    """
)

# Results are saved in batches, in one statement: the deliveries we still hold a lease on
# move on (their row locks keep a concurrent delete out), their attempts are logged, and
# subscriptions that answered 410 are disabled. A result whose lease was lost is dropped:
# another dispatcher owns that delivery now.
RECORD = text(
    """
    WITH r AS (
        SELECT * FROM unnest(
            CAST(:ids AS bigint[]), CAST(:tokens AS text[]), CAST(:statuses AS text[]),
            CAST(:failures AS int[]), CAST(:next_attempts AS timestamptz[]),
            CAST(:status_codes AS int[]), CAST(:errors AS text[]),
            CAST(:completed AS timestamptz[]), CAST(:attempted AS timestamptz[]),
            CAST(:outcomes AS text[]), CAST(:latencies AS int[]), CAST(:excerpts AS text[]),
            CAST(:gone AS boolean[])
        ) AS r(id, token, status, failures, next_attempt_at, status_code, error,
               completed_at, attempted_at, outcome, latency_ms, excerpt, gone)
    ), finished AS (
        UPDATE webhook_deliveries d
        SET status = r.status, attempts = d.attempts + 1, consecutive_failures = r.failures,
            next_attempt_at = COALESCE(r.next_attempt_at, now()),
            last_status_code = r.status_code, last_error = r.error,
            completed_at = r.completed_at, lease_until = NULL, lease_token = NULL
        FROM r
        WHERE d.id = r.id AND d.lease_token = r.token
        RETURNING d.id, d.subscription_id
    ), logged AS (
        INSERT INTO webhook_attempts
            (delivery_id, attempted_at, outcome, status_code, latency_ms, error,
             response_excerpt)
        SELECT r.id, r.attempted_at, r.outcome, r.status_code, r.latency_ms, r.error, r.excerpt
        FROM r JOIN finished f ON f.id = r.id
    ), disabled AS (
        UPDATE webhook_subscriptions s
        SET active = false, disabled_reason = 'gone', disabled_at = now(), updated_at = now()
        WHERE s.active AND s.id IN (
            SELECT f.subscription_id FROM finished f JOIN r ON r.id = f.id WHERE r.gone
        )
    )
    SELECT count(*) FROM finished
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
    owner_id: int
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
    conn: AsyncConnection,
    *,
    token: str,
    limit: int,
    per_subscription: int,
    busy: Mapping[int, int],
    lease_seconds: float,
    per_owner: int | None = None,
    busy_owners: Mapping[int, int] | None = None,
) -> list[Job]:
    """Lease up to ``limit`` lane heads, at most ``busy``'s free slots per subscription
    and ``busy_owners``' free slots per owner (one user's many subscriptions share
    ``per_owner`` slots, so they cannot hold every slot of a dispatcher)."""
    owners = busy_owners or {}
    owner_limit = per_owner if per_owner is not None else limit
    params: dict[str, Any] = {
        "busy_ids": list(busy),
        "busy_slots": [max(0, per_subscription - n) for n in busy.values()],
        "per_subscription": per_subscription,
        "busy_owners": list(owners),
        "owner_slots": [max(0, owner_limit - n) for n in owners.values()],
        "per_owner": owner_limit,
        "limit": limit,
        "lease_seconds": lease_seconds,
        "token": token,
    }
    rows = (await conn.execute(CLAIM, params)).mappings().all()
    return [Job(**dict(row)) for row in rows]


async def record(conn: AsyncConnection, results: Sequence[tuple[Job, str, Result]]) -> int:
    """Save attempt results; returns how many deliveries were still ours to move on."""
    if not results:
        return 0
    params = {
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
        "attempted": [r.attempted_at for _, _, r in results],
        "outcomes": [r.outcome for _, _, r in results],
        "latencies": [r.latency_ms for _, _, r in results],
        "excerpts": [r.excerpt for _, _, r in results],
        "gone": [r.disable_subscription for _, _, r in results],
    }
    return int((await conn.execute(RECORD, params)).scalar_one())


async def release(conn: AsyncConnection, tokens: Sequence[str]) -> None:
    """Give back leases we hold (shutdown), so the deliveries go out without waiting."""
    for token in tokens:
        await conn.execute(RELEASE, {"token": token})


async def purge(session: AsyncSession, retention_days: int) -> None:
    await session.execute(PURGE_DELIVERIES, {"days": retention_days})
    await session.execute(PURGE_EVENTS, {"days": retention_days})
