"""The consumer side: every event of every topic becomes one delivery per matching
subscription, written in the consumer's transaction (with its version claim), so an
event is recorded exactly once however often Kafka hands it over."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.events import Event
from tt.webhooks.deliveries.repository import DUE_CHANNEL
from tt.webhooks.events import event_owner
from tt.webhooks.subscriptions.service import follow_owner

# One round trip: the matching subscriptions, the event stored once if any matched, and a
# delivery for each. Only subscriptions that existed when the event happened get it.
RECORD = text(
    """
    WITH matched AS (
        SELECT id FROM webhook_subscriptions
        WHERE active
          AND CAST(:type AS text) ~ event_pattern
          AND created_at <= COALESCE(CAST(:event_time AS timestamptz), now())
          AND (owner_is_admin OR CAST(:owner AS bigint) IS NULL OR owner_id = :owner)
    ), stored AS (
        INSERT INTO webhook_events (id, type, subject, payload)
        SELECT :event_id, :type, :subject, :payload WHERE EXISTS (SELECT 1 FROM matched)
        ON CONFLICT (id) DO NOTHING
    ), recorded AS (
        INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, lane, retry_until)
        SELECT id, :event_id, :type, :lane, now() + make_interval(secs => :window) FROM matched
        ON CONFLICT ON CONSTRAINT uq_webhook_deliveries_event DO NOTHING
        RETURNING 1
    )
    -- Wake every dispatcher when this commits (repeats within a transaction fold into one).
    SELECT count(*), (SELECT pg_notify(:channel, '') WHERE EXISTS (SELECT 1 FROM recorded))
    FROM recorded
    """
)


class DeliveryIntake:
    """The consumer handler (``*``): record deliveries for one event."""

    def __init__(self, retry_window_seconds: float) -> None:
        self._window = retry_window_seconds
        self.recorded = 0

    async def __call__(self, session: AsyncSession, event: Event) -> None:
        if event.entity == "user":
            await follow_owner(session, event)
        params: dict[str, Any] = {
            "type": event.type,
            "event_time": _parse_time(event.time),
            "owner": event_owner(event),
            "event_id": event.id,
            "subject": event.subject,
            "payload": event.to_json(),
            "lane": f"{event.entity}:{event.subject}",
            "window": self._window,
            "channel": DUE_CHANNEL,
        }
        self.recorded += int((await session.execute(RECORD, params)).scalar_one())


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
