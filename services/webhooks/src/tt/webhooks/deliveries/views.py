"""Deliveries and their attempts as the API shows them (``DeliveryOut`` in schemas.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from tt.webhooks.deliveries.models import PENDING, Attempt, Delivery


def attempt_view(attempt: Attempt) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "attempted_at": attempt.attempted_at,
        "outcome": attempt.outcome,
        "status_code": attempt.status_code,
        "latency_ms": attempt.latency_ms,
        "error": attempt.error,
        "response_excerpt": attempt.response_excerpt,
    }


def delivery_view(
    delivery: Delivery, attempts: Sequence[Attempt] = (), payload: bytes | None = None
) -> dict[str, Any]:
    """A delivery with ``attempts``, and with the CloudEvent sent when ``payload`` is given."""
    body: dict[str, Any] = {
        "id": delivery.id,
        "webhook_id": delivery.subscription_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "subject": delivery.lane.split(":", 1)[-1],
        "status": delivery.status,
        "attempt_count": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.status == PENDING else None,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "completed_at": delivery.completed_at,
        "attempts": [attempt_view(a) for a in attempts],
    }
    if payload is not None:
        body["event"] = orjson.loads(payload)
    return body
