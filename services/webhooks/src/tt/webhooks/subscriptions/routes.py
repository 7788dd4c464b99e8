"""``/api/v1/webhooks``: the subscription API (tokens only; see service.py for who may
do what)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.errors import ErrorBody
from tt.common.fields import MAX_ID
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_auth_method
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.webhooks import subscribable
from tt.webhooks.deliveries import service as deliveries
from tt.webhooks.deliveries.schemas import DeliveryAnswer, DeliveryPage, delivery_out
from tt.webhooks.runtime import Runtime, runtime
from tt.webhooks.subscriptions import service
from tt.webhooks.subscriptions.schemas import (
    EventTypes,
    RotateSecret,
    WebhookAnswer,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookUpdate,
    webhook_out,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

Caller = Annotated[Identity, Depends(require_auth_method("token"))]
Rt = Annotated[Runtime, Depends(runtime)]
Page = Annotated[PageParams, Depends(page_params)]
WebhookId = Annotated[int, Path(ge=1, le=MAX_ID, description="Webhook id")]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID, description="Delivery id")]
Status = Literal["pending", "delivered", "failed"]


def _doc(ok: type, *codes: int, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """OpenAPI answers: ``ok`` for ``status``, the error body for ``codes`` (and 401)."""
    described = {
        400: "validation_error",
        401: "unauthorized (tokens only)",
        403: "forbidden: a read scope of the subscribed events is missing",
        404: "not_found: no such webhook, or not the caller's",
        409: "conflict",
        422: "idempotency_key_reused: the Idempotency-Key came with another body",
    }
    answers: dict[int | str, dict[str, Any]] = {status: {"model": ok}}
    for code in sorted({401, *codes}):
        answers[code] = {"model": ErrorBody, "description": described[code]}
    return answers


def _with_secret(webhook: dict[str, Any], secret: str, message: str) -> dict[str, Any]:
    # The only answers that carry the secret: creation and rotation.
    return {"webhook": {**webhook, "secret": secret}, "secret": secret, "message": message}


@router.get("", response_model=None, summary="List webhooks", responses=_doc(WebhookPage, 400))
async def list_webhooks(session: DbSession, caller: Caller, params: Page) -> JSONResponse:
    """The caller's webhooks (every user's for admins), newest first."""
    rows, total = await service.page(session, caller, params)
    return JSONResponse(paginated("webhooks", [webhook_out(s) for s in rows], params, total))


@router.post(
    "",
    response_model=None,
    status_code=201,
    summary="Create a webhook",
    responses=_doc(WebhookCreated, 400, 403, 409, 422, status=201),
)
async def create_webhook(request: Request, body: WebhookCreate, caller: Caller, rt: Rt) -> Response:
    """Subscribe a URL to event types; the answer shows the signing secret, once (and
    again to a retry with the same ``Idempotency-Key``, which creates nothing)."""

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        sub, secret = await service.create(session, rt, caller, body)
        return 201, _with_secret(webhook_out(sub), secret, "Webhook created successfully")

    # The body as sent (already read and validated above), as the time service keys it.
    return await run_create(request, caller, await request.json(), work)


@router.get("/events", response_model=None, summary="Event types", responses=_doc(EventTypes))
async def list_event_types(caller: Caller) -> JSONResponse:
    """Every event type a webhook can subscribe to (patterns may use ``*`` and ``?``)."""
    return JSONResponse({"events": list(subscribable.EVENT_TYPES)})


@router.get(
    "/{webhook_id}",
    response_model=None,
    summary="Get a webhook",
    responses=_doc(WebhookAnswer, 400, 404),
)
async def get_webhook(webhook_id: WebhookId, session: DbSession, caller: Caller) -> JSONResponse:
    return JSONResponse(
        {"webhook": webhook_out(await service.visible(session, caller, webhook_id))}
    )


@router.put(
    "/{webhook_id}",
    response_model=None,
    summary="Update a webhook",
    responses=_doc(WebhookAnswer, 400, 403, 404),
)
@router.patch("/{webhook_id}", response_model=None, include_in_schema=False)
async def update_webhook(
    webhook_id: WebhookId, body: WebhookUpdate, session: DbSession, caller: Caller, rt: Rt
) -> JSONResponse:
    """Change the fields given (url, events, active, name, description)."""
    sub = await service.update(session, rt, caller, webhook_id, body)
    return JSONResponse({"webhook": webhook_out(sub), "message": "Webhook updated successfully"})


@router.delete(
    "/{webhook_id}", response_model=None, summary="Delete a webhook", responses=_doc(dict, 400, 404)
)
async def delete_webhook(webhook_id: WebhookId, session: DbSession, caller: Caller) -> JSONResponse:
    """Delete the webhook, its pending deliveries and its delivery log."""
    await service.delete(session, caller, webhook_id)
    return JSONResponse({"message": "Webhook deleted successfully"})


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=None,
    summary="Rotate the signing secret",
    responses=_doc(WebhookCreated, 400, 404),
)
async def rotate_secret(
    webhook_id: WebhookId,
    session: DbSession,
    caller: Caller,
    rt: Rt,
    body: RotateSecret | None = None,
) -> JSONResponse:
    """A new secret, shown once; the old one keeps signing beside it for the grace period."""
    sub, secret = await service.rotate_secret(
        session, rt, caller, webhook_id, body or RotateSecret()
    )
    return JSONResponse(_with_secret(webhook_out(sub), secret, "Webhook secret rotated"))


@router.get(
    "/{webhook_id}/deliveries",
    response_model=None,
    summary="Delivery log",
    responses=_doc(DeliveryPage, 400, 404),
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
    items = [delivery_out(d, attempts.get(d.id, ())) for d in rows]
    return JSONResponse(paginated("deliveries", items, params, total))


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    response_model=None,
    summary="One delivery",
    responses=_doc(DeliveryAnswer, 400, 404),
)
async def get_delivery(
    webhook_id: WebhookId, delivery_id: DeliveryId, session: DbSession, caller: Caller
) -> JSONResponse:
    """One delivery with its attempts and the event it carries."""
    delivery, attempts, payload = await deliveries.detail(session, caller, webhook_id, delivery_id)
    return JSONResponse({"delivery": delivery_out(delivery, attempts, payload)})


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=None,
    status_code=202,
    summary="Redeliver",
    responses=_doc(DeliveryAnswer, 400, 404, 409, status=202),
)
async def redeliver(
    webhook_id: WebhookId, delivery_id: DeliveryId, session: DbSession, caller: Caller, rt: Rt
) -> JSONResponse:
    """Send a delivered or failed delivery again (same ``webhook-id``, new attempts)."""
    delivery = await deliveries.redeliver(session, rt, caller, webhook_id, delivery_id)
    return JSONResponse(
        {"delivery": delivery_out(delivery), "message": "Redelivery queued"}, status_code=202
    )


@router.post(
    "/{webhook_id}/test",
    response_model=None,
    status_code=202,
    summary="Send a test event",
    responses=_doc(DeliveryAnswer, 400, 404, 409, status=202),
)
async def send_test(
    webhook_id: WebhookId, session: DbSession, caller: Caller, rt: Rt
) -> JSONResponse:
    """Queue a ``tt.webhook.test`` event to this webhook; follow it in the delivery log."""
    delivery = await deliveries.send_test(session, rt, caller, webhook_id)
    return JSONResponse(
        {"delivery": delivery_out(delivery), "message": "Test event queued"}, status_code=202
    )
