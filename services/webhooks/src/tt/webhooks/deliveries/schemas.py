"""Response bodies of the delivery log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel, Field

from tt.webhooks.deliveries.models import PENDING, Attempt, Delivery


class AttemptOut(BaseModel):
    id: int
    attempted_at: datetime
    outcome: str = Field(description="delivered, retry, gone, refused or failed")
    status_code: int | None
    latency_ms: int
    error: str | None
    response_excerpt: str | None = Field(description="The first 1 KB of the answer")


class DeliveryOut(BaseModel):
    id: int
    webhook_id: int
    event_id: str = Field(description="The CloudEvent id, sent as webhook-id")
    event_type: str
    subject: str
    status: str = Field(description="pending, delivered or failed")
    attempt_count: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    completed_at: datetime | None
    attempts: list[AttemptOut]
    event: dict[str, Any] | None = Field(
        default=None, description="The CloudEvent sent (single delivery only)"
    )


class DeliveryAnswer(BaseModel):
    delivery: DeliveryOut
    message: str | None = None


class DeliveryPage(BaseModel):
    deliveries: list[DeliveryOut]
    pagination: dict[str, Any]


def attempt_out(attempt: Attempt) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "attempted_at": attempt.attempted_at,
        "outcome": attempt.outcome,
        "status_code": attempt.status_code,
        "latency_ms": attempt.latency_ms,
        "error": attempt.error,
        "response_excerpt": attempt.response_excerpt,
    }


def delivery_out(
    delivery: Delivery, attempts: Sequence[Attempt] = (), payload: bytes | None = None
) -> dict[str, Any]:
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
        "attempts": [attempt_out(a) for a in attempts],
    }
    if payload is not None:
        body["event"] = orjson.loads(payload)
    return body
