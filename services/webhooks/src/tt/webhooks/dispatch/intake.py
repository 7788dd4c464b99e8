"""The consumer side: every event of every topic becomes one delivery per matching
subscription, written in the consumer's transaction (with its version claim), so an
event is recorded exactly once however often Kafka hands it over. A batch of events is
recorded in one statement."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.bulk import as_arrays, unnest_select
from tt.common.events import Event
from tt.webhooks.deliveries.repository import DUE_CHANNEL
from tt.webhooks.subscribable import event_owner
from tt.webhooks.subscriptions.service import follow_owner

BATCH_COLUMNS = (
    ("ord", "int"),
    ("type", "text"),
    ("event_time", "timestamptz"),
    ("owner", "bigint"),
    ("event_id", "text"),
    ("subject", "text"),
    ("payload", "bytea"),
    ("lane", "text"),
)

# One round trip for a whole batch: the subscriptions each event matches, each matched
# event stored once, and a delivery per match, numbered in the batch's order (so in order
# per entity). Only subscriptions that existed when the event happened get it.
RECORD = text(
    f"""
    WITH batch AS (
        {unnest_select(BATCH_COLUMNS)}
    ), matched AS (
        SELECT e.ord, e.event_id, e.type, e.lane, s.id AS subscription_id
        FROM batch AS e JOIN webhook_subscriptions AS s
          ON s.active
         AND e.type ~ s.event_pattern
         AND s.created_at <= COALESCE(e.event_time, now())
         AND (s.owner_is_admin OR e.owner IS NULL OR s.owner_id = e.owner)
    ), stored AS (
        INSERT INTO webhook_events (id, type, subject, payload)
        SELECT e.event_id, e.type, e.subject, e.payload FROM batch AS e
        WHERE e.event_id IN (SELECT event_id FROM matched)
        ON CONFLICT (id) DO NOTHING
    ), recorded AS (
        INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, lane, retry_until)
        SELECT subscription_id, event_id, type, lane, now() + make_interval(secs => :window)
        FROM matched ORDER BY ord, subscription_id
        ON CONFLICT ON CONSTRAINT uq_webhook_deliveries_event DO NOTHING
        RETURNING 1
    )
    -- Wake every dispatcher when this commits (repeats within a transaction fold into one).
    SELECT count(*), (SELECT pg_notify(:channel, '') WHERE EXISTS (SELECT 1 FROM recorded))
    FROM recorded
    """  # noqa: S608
)


# The dispatcher's plans rest on the planner's estimate of the pending deliveries, which
# the last ANALYZE made. A queue can go from empty to thousands in one batch (a broker
# outage's backlog): planned as if still empty, a claim read every pending row of each
# subscription and the lease update walked an index for its ids, 25 ms a claim instead of
# 2 to 5 (measured in the fault drill's drain). So after recording many deliveries the
# intake refreshes the table's statistics, at most every ANALYZE_EVERY_SECONDS.
ANALYZE = text("ANALYZE webhook_deliveries")
ANALYZE_AFTER_DELIVERIES = 1000
ANALYZE_EVERY_SECONDS = 30.0


class DeliveryIntake:
    """The consumer handler (``*``): record deliveries for a batch of events."""

    def __init__(
        self, retry_window_seconds: float, analyze_after: int = ANALYZE_AFTER_DELIVERIES
    ) -> None:
        self._window = retry_window_seconds
        self._analyze_after = analyze_after
        self._since_analyze = 0
        self._analyzed_at = float("-inf")
        self.recorded = 0

    async def __call__(self, session: AsyncSession, events: Sequence[Event]) -> None:
        # A user event changes which subscriptions the events after it match (an owner's
        # admin flag, a deactivated owner): record what precedes it first.
        pending: list[Event] = []
        for event in events:
            if event.entity == "user":
                await self._record(session, pending)
                pending = []
                await follow_owner(session, event)
            pending.append(event)
        await self._record(session, pending)

    async def _record(self, session: AsyncSession, events: Sequence[Event]) -> None:
        if not events:
            return
        rows = [
            {
                "ord": n,
                "type": event.type,
                "event_time": _parse_time(event.time),
                "owner": event_owner(event),
                "event_id": event.id,
                "subject": event.subject,
                "payload": event.to_json(),
                "lane": f"{event.entity}:{event.subject}",
            }
            for n, event in enumerate(events)
        ]
        params = {**as_arrays(BATCH_COLUMNS, rows), "window": self._window, "channel": DUE_CHANNEL}
        recorded = int((await session.execute(RECORD, params)).scalar_one())
        self.recorded += recorded
        self._since_analyze += recorded
        if (
            self._since_analyze >= self._analyze_after
            and time.monotonic() - self._analyzed_at >= ANALYZE_EVERY_SECONDS
        ):
            await session.execute(ANALYZE)  # takes effect when the batch commits
            self._since_analyze = 0
            self._analyzed_at = time.monotonic()


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
