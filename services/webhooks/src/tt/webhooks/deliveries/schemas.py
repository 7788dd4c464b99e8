"""Response bodies of the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tt.common.openapi import page_of


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


class DeliveryQueued(BaseModel):
    """A redelivery's or test event's answer: the delivery, pending."""

    delivery: DeliveryOut
    message: str


DeliveryPage = page_of(DeliveryOut, "deliveries", "DeliveryPage")
