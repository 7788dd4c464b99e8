"""Every table of the webhooks database, imported here so Alembic sees them all."""

from tt.common.consumer import ConsumedVersion
from tt.common.idempotency import IdempotencyRecord
from tt.common.outbox import OutboxRecord, ParkedOutboxRecord
from tt.webhooks.base import Base
from tt.webhooks.deliveries.models import Attempt, Delivery, StoredEvent
from tt.webhooks.subscriptions.models import Subscription

__all__ = [
    "Attempt",
    "Base",
    "ConsumedVersion",
    "Delivery",
    "IdempotencyRecord",
    "OutboxRecord",
    "ParkedOutboxRecord",
    "StoredEvent",
    "Subscription",
]
