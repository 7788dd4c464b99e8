"""``/api/v1/webhooks``: the subscription API (tokens only; see service.py for who may
do what)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from tt.common.app import DbSession
from tt.common.identity import Identity, require_auth_method
from tt.common.pagination import PageParams, page_params, paginated
from tt.webhooks import events as catalogue
from tt.webhooks.deliveries import service as deliveries
from tt.webhooks.deliveries.schemas import delivery_out
from tt.webhooks.runtime import Runtime, runtime
from tt.webhooks.subscriptions import service
from tt.webhooks.subscriptions.schemas import (
    RotateSecret,
    WebhookCreate,
    WebhookUpdate,
    webhook_out,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

Caller = Annotated[Identity, Depends(require_auth_method("token"))]
Rt = Annotated[Runtime, Depends(runtime)]
Page = Annotated[PageParams, Depends(page_params)]
WebhookId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Webhook id")]
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Delivery id")]
Status = Literal["pending", "delivered", "failed"]


def _with_secret(webhook: dict[str, Any], secret: str, message: str) -> dict[str, Any]:
    # The only answers that carry the secret: creation and rotation.
    return {"webhook": {**webhook, "secret": secret}, "secret": secret, "message": message}


@router.get("")
async def list_webhooks(session: DbSession, caller: Caller, params: Page) -> dict[str, Any]:
    """The caller's webhooks (every user's for admins), newest first."""
    rows, total = await service.page(session, caller, params)
    return paginated("webhooks", [webhook_out(s) for s in rows], params, total)


@router.post("", status_code=201)
async def create_webhook(
    body: WebhookCreate, session: DbSession, caller: Caller, rt: Rt
) -> dict[str, Any]:
    """Subscribe a URL to event types; the answer shows the signing secret, once."""
    sub, secret = await service.create(session, rt, caller, body)
    return _with_secret(webhook_out(sub), secret, "Webhook created successfully")


@router.get("/events")
async def list_event_types(caller: Caller) -> dict[str, Any]:
    """Every event type a webhook can subscribe to (patterns may use ``*`` and ``?``)."""
    return {"events": list(catalogue.EVENT_TYPES)}


@router.get("/{webhook_id}")
async def get_webhook(webhook_id: WebhookId, session: DbSession, caller: Caller) -> dict[str, Any]:
    return {"webhook": webhook_out(await service.visible(session, caller, webhook_id))}


@router.put("/{webhook_id}")
@router.patch("/{webhook_id}", include_in_schema=False)
async def update_webhook(
    webhook_id: WebhookId, body: WebhookUpdate, session: DbSession, caller: Caller, rt: Rt
) -> dict[str, Any]:
    """Change the fields given (url, events, active, name, description)."""
    sub = await service.update(session, rt, caller, webhook_id, body)
    return {"webhook": webhook_out(sub), "message": "Webhook updated successfully"}


@router.delete("/{webhook_id}")
async def delete_webhook(
    webhook_id: WebhookId, session: DbSession, caller: Caller
) -> dict[str, Any]:
    """Delete the webhook, its pending deliveries and its delivery log."""
    await service.delete(session, caller, webhook_id)
    return {"message": "Webhook deleted successfully"}


@router.post("/{webhook_id}/rotate-secret")
async def rotate_secret(
    webhook_id: WebhookId,
    session: DbSession,
    caller: Caller,
    rt: Rt,
    body: RotateSecret | None = None,
) -> dict[str, Any]:
    """A new secret, shown once; the old one keeps signing beside it for the grace period."""
    sub, secret = await service.rotate_secret(
        session, rt, caller, webhook_id, body or RotateSecret()
    )
    return _with_secret(webhook_out(sub), secret, "Webhook secret rotated")


@router.get("/{webhook_id}/deliveries")
async def list_deliveries(
    webhook_id: WebhookId,
    session: DbSession,
    caller: Caller,
    params: Page,
    status: Annotated[Status | None, Query(description="Only deliveries in this state")] = None,
) -> dict[str, Any]:
    """The delivery log, newest first, each with its attempts."""
    rows, attempts, total = await deliveries.page(session, caller, webhook_id, params, status)
    items = [delivery_out(d, attempts.get(d.id, ())) for d in rows]
    return paginated("deliveries", items, params, total)


@router.get("/{webhook_id}/deliveries/{delivery_id}")
async def get_delivery(
    webhook_id: WebhookId, delivery_id: DeliveryId, session: DbSession, caller: Caller
) -> dict[str, Any]:
    """One delivery with its attempts and the event it carries."""
    delivery, attempts, payload = await deliveries.detail(session, caller, webhook_id, delivery_id)
    return {"delivery": delivery_out(delivery, attempts, payload)}


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver", status_code=202)
async def redeliver(
    webhook_id: WebhookId, delivery_id: DeliveryId, session: DbSession, caller: Caller, rt: Rt
) -> dict[str, Any]:
    """Send a delivered or failed delivery again (same ``webhook-id``, new attempts)."""
    delivery = await deliveries.redeliver(session, rt, caller, webhook_id, delivery_id)
    return {"delivery": delivery_out(delivery), "message": "Redelivery queued"}


@router.post("/{webhook_id}/test", status_code=202)
async def send_test(
    webhook_id: WebhookId, session: DbSession, caller: Caller, rt: Rt
) -> dict[str, Any]:
    """Queue a ``tt.webhook.test`` event to this webhook; follow it in the delivery log."""
    delivery = await deliveries.send_test(session, rt, caller, webhook_id)
    return {"delivery": delivery_out(delivery), "message": "Test event queued"}
