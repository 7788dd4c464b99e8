"""A subscription as the API shows it (``WebhookOut`` in schemas.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tt.webhooks.subscriptions.models import Subscription


def webhook_view(sub: Subscription) -> dict[str, Any]:
    """The public view of a subscription: never its secret."""
    grace_until: datetime | None = sub.previous_secret_expires_at
    return {
        "id": sub.id,
        "name": sub.name,
        "description": sub.description,
        "url": sub.url,
        "events": list(sub.events),
        "active": sub.active,
        "user_id": sub.owner_id,
        "disabled_reason": sub.disabled_reason,
        "disabled_at": sub.disabled_at,
        "secret_rotated_at": sub.secret_rotated_at,
        "previous_secret_expires_at": grace_until,
        "created_at": sub.created_at,
        "updated_at": sub.updated_at,
    }


def with_secret(webhook: dict[str, Any], secret: str, message: str) -> dict[str, Any]:
    """The answers that carry the secret (creation and rotation): in the webhook and beside."""
    return {"webhook": {**webhook, "secret": secret}, "secret": secret, "message": message}
