"""``/api/v1/webhooks``: the subscription API (tokens only; see service.py for who may
do what)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse
from tt.common.fields import MAX_ID
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_auth_method
from tt.common.openapi import errors
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.webhooks import subscribable
from tt.webhooks.deliveries import service as deliveries
from tt.webhooks.deliveries.schemas import DeliveryAnswer, DeliveryPage, DeliveryQueued
from tt.webhooks.deliveries.views import delivery_view
from tt.webhooks.runtime import Runtime, runtime
from tt.webhooks.subscriptions import service
from tt.webhooks.subscriptions.schemas import (
    EventTypes,
    RotateSecret,
    WebhookAnswer,
    WebhookCreate,
    WebhookDeleted,
    WebhookPage,
    WebhookUpdate,
    WebhookUpdated,
    WebhookWithSecretAnswer,
)
from tt.webhooks.subscriptions.views import webhook_view, with_secret

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

Caller = Annotated[Identity, Depends(require_auth_method("token"))]
Rt = Annotated[Runtime, Depends(runtime)]
Page = Annotated[PageParams, Depends(page_params)]
WebhookId = Annotated[int, Path(ge=1, le=MAX_ID, description="Webhook id")]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID, description="Delivery id")]
Status = Literal["pending", "delivered", "failed"]

# How the errors of these routes read in the document.
WHY = {"e401": "tokens only", "e404": "no such webhook, or not the caller's"}
SCOPES = "a read scope of the subscribed events is missing"


@router.get("", response_model=WebhookPage, summary="List webhooks", responses=errors(400, **WHY))
async def list_webhooks(session: DbSession, caller: Caller, params: Page) -> JSONResponse:
    """The caller's webhooks (every user's for admins), newest first."""
    rows, total = await service.page(session, caller, params)
    return JSONResponse(paginated("webhooks", [webhook_view(s) for s in rows], params, total))


@router.post(
    "",
    response_model=WebhookWithSecretAnswer,
    status_code=201,
    summary="Create a webhook",
    responses=errors(
        400,
        409,
        413,
        415,
        422,
        e409="too many webhooks, or this Idempotency-Key's first request is still running",
        e422="the Idempotency-Key came with another body",
        e403=SCOPES,
        **WHY,
    ),
    openapi_extra=json_body(WebhookCreate),
)
async def create_webhook(request: Request, caller: Caller, rt: Rt) -> Response:
    """Subscribe a URL to event types; the answer shows the signing secret, once (and
    again to a retry with the same ``Idempotency-Key``, which creates nothing)."""
    body = await json_object(request)
    payload = parse(WebhookCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        sub, secret = await service.create(session, rt, caller, payload)
        return 201, with_secret(webhook_view(sub), secret, "Webhook created successfully")

    return await run_create(request, caller, body, work)


@router.get("/events", response_model=EventTypes, summary="Event types", responses=errors(**WHY))
async def list_event_types(caller: Caller) -> JSONResponse:
    """Every event type a webhook can subscribe to (patterns may use ``*`` and ``?``)."""
    return JSONResponse({"events": list(subscribable.EVENT_TYPES)})


@router.get(
    "/{webhook_id}",
    response_model=WebhookAnswer,
    summary="Get a webhook",
    responses=errors(404, **WHY),
)
async def get_webhook(webhook_id: WebhookId, session: DbSession, caller: Caller) -> JSONResponse:
    return JSONResponse(
        {"webhook": webhook_view(await service.visible(session, caller, webhook_id))}
    )


UPDATE: dict[str, Any] = {
    "response_model": WebhookUpdated,
    "responses": errors(400, 404, 413, 415, e403=SCOPES, **WHY),
    "openapi_extra": json_body(WebhookUpdate),
}


# PUT and PATCH alike; one route each, so each has an operation id of its own.
@router.put("/{webhook_id}", summary="Update a webhook", **UPDATE)
@router.patch("/{webhook_id}", summary="Update a webhook (as PUT)", **UPDATE)
async def update_webhook(
    request: Request, webhook_id: WebhookId, session: DbSession, caller: Caller, rt: Rt
) -> JSONResponse:
    """Change the fields given (url, events, active, name, description)."""
    body = parse(WebhookUpdate, await json_object(request))
    sub = await service.update(session, rt, caller, webhook_id, body)
    return JSONResponse({"webhook": webhook_view(sub), "message": "Webhook updated successfully"})


@router.delete(
    "/{webhook_id}",
    response_model=WebhookDeleted,
    summary="Delete a webhook",
    responses=errors(404, **WHY),
)
async def delete_webhook(webhook_id: WebhookId, session: DbSession, caller: Caller) -> JSONResponse:
    """Delete the webhook, its pending deliveries and its delivery log."""
    await service.delete(session, caller, webhook_id)
    return JSONResponse({"message": "Webhook deleted successfully"})


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=WebhookWithSecretAnswer,
    summary="Rotate the signing secret",
    responses=errors(400, 404, 413, 415, **WHY),
    openapi_extra=json_body(RotateSecret),
)
async def rotate_secret(
    request: Request, webhook_id: WebhookId, session: DbSession, caller: Caller, rt: Rt
) -> JSONResponse:
    """A new secret, shown once; the old one keeps signing beside it for the grace period."""
    body = parse(RotateSecret, await json_object(request))
    sub, secret = await service.rotate_secret(session, rt, caller, webhook_id, body)
    return JSONResponse(with_secret(webhook_view(sub), secret, "Webhook secret rotated"))


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryPage,
    summary="Delivery log",
    responses=errors(400, 404, **WHY),
)
async def list_deliveries(
    webhook_id: WebhookId,
    session: DbSession,
    caller: Caller,
    params: Page,
    status: Annotated[Status | None, Query(description="Only deliveries in this state")] = None,
) -> JSONResponse:
    """The delivery log, newest first, each with its attempts."""
    rows, attempts, total = await deliveries.page(session, caller, webhook_id, params, status)
    items = [delivery_view(d, attempts.get(d.id, ())) for d in rows]
    return JSONResponse(paginated("deliveries", items, params, total))


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    response_model=DeliveryAnswer,
    summary="One delivery",
    responses=errors(404, **WHY),
)
async def get_delivery(
    webhook_id: WebhookId, delivery_id: DeliveryId, session: DbSession, caller: Caller
) -> JSONResponse:
    """One delivery with its attempts and the event it carries."""
    delivery, attempts, payload = await deliveries.detail(session, caller, webhook_id, delivery_id)
    return JSONResponse({"delivery": delivery_view(delivery, attempts, payload)})


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryQueued,
    status_code=202,
    summary="Redeliver",
    responses=errors(404, 409, e409="the delivery is still pending", **WHY),
)
async def redeliver(
    webhook_id: WebhookId, delivery_id: DeliveryId, session: DbSession, caller: Caller, rt: Rt
) -> JSONResponse:
    """Send a delivered or failed delivery again (same ``webhook-id``, new attempts)."""
    delivery = await deliveries.redeliver(session, rt, caller, webhook_id, delivery_id)
    return JSONResponse(
        {"delivery": delivery_view(delivery), "message": "Redelivery queued"}, status_code=202
    )


@router.post(
    "/{webhook_id}/test",
    response_model=DeliveryQueued,
    status_code=202,
    summary="Send a test event",
    responses=errors(404, 409, e409="the webhook is not active", **WHY),
)
async def send_test(
    webhook_id: WebhookId, session: DbSession, caller: Caller, rt: Rt
) -> JSONResponse:
    """Queue a ``tt.webhook.test`` event to this webhook; follow it in the delivery log."""
    delivery = await deliveries.send_test(session, rt, caller, webhook_id)
    return JSONResponse(
        {"delivery": delivery_view(delivery), "message": "Test event queued"}, status_code=202
    )
